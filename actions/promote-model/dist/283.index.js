export const id = 283;
export const ids = [283];
export const modules = {

/***/ 4283:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MlflowRegistry: () => (/* binding */ MlflowRegistry)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2635);
/* harmony import */ var _model_card_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6468);
/* harmony import */ var _registry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1070);






const HISTORY_TAG = 'mlops.alias_history';
/** MLflow limits tag values; the history keeps the most recent moves that fit. */
const HISTORY_LIMIT = 4500;
/**
 * The `mlflow` backend: MLflow's Model Registry REST API (`/api/2.0/mlflow/...`), which GitLab and others
 * also serve.
 *
 * - Files go first, through MLflow's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/...`, a server
 *   started with `--serve-artifacts`), under `mlops-registry/<name>/<registration key>/`: the model files in
 *   `model/`, `version.json` (metrics, params, lineage, file digests) and the run records. Only then is the
 *   version created (`model-versions/create` with `source` = that directory and `run_id`), so a version never
 *   exists without its files. MLflow numbers versions itself, atomically.
 * - The model card is rendered from `version.json` and the number, and set as the version's description.
 * - Tags on the version: `mlops.digest`, `mlops.run_id`, `mlops.metrics` (idempotent re-runs search by them).
 * - Aliases are MLflow aliases (`registered-models/alias`). MLflow keeps no alias history, so the moves are
 *   kept as JSON in the registered-model tag `mlops.alias_history` (most recent moves, within MLflow's tag
 *   size limit). Writing that tag is read-modify-write: two promotions of one model at the same instant can
 *   lose one history entry (the alias itself is always right).
 */
class MlflowRegistry {
    deps;
    kind = 'mlflow';
    address;
    log;
    clock;
    fetch;
    constructor(address, deps) {
        this.deps = deps;
        if (!/^https?:\/\/[^/]+/.test(address)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('registry', `must be the MLflow tracking server URL (http[s]://host:port); got '${address}'`);
        }
        this.address = address.replace(/\/+$/, '');
        this.log = deps.log;
        this.clock = deps.clock ?? (() => new Date());
        this.fetch = deps.fetch ?? fetch;
    }
    headers() {
        const { username, password, token } = this.deps;
        if (username && password)
            return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
        if (token)
            return { authorization: `Bearer ${token}` };
        return {};
    }
    async call(what, method, endpoint, body) {
        const url = `${this.address}${endpoint}`;
        let res;
        const raw = body instanceof Uint8Array;
        for (let attempt = 0;; attempt++) {
            try {
                res = await this.fetch(url, {
                    method,
                    headers: {
                        ...this.headers(),
                        ...(body ? { 'content-type': raw ? 'application/octet-stream' : 'application/json' } : {}),
                    },
                    ...(body ? { body: raw ? body : JSON.stringify(body) } : {}),
                });
            }
            catch (e) {
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_4__/* .RegistryError */ .gl(`Could not reach the MLflow server at ${this.address} to ${what}: ${e.message}`);
            }
            if (res.status < 500 || method === 'POST' || attempt >= 2)
                break;
            await res.arrayBuffer().catch(() => undefined);
            await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        }
        if (res.ok) {
            if (endpoint.startsWith('/api/2.0/mlflow-artifacts/') && method === 'GET')
                return Buffer.from(await res.arrayBuffer());
            const text = await res.text();
            return (text ? JSON.parse(text) : {});
        }
        const text = await res.text().catch(() => '');
        let err = {};
        try {
            err = JSON.parse(text);
        }
        catch {
            // not JSON
        }
        const said = err.message ?? text.slice(0, 200);
        if (res.status === 401)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .PermissionError */ .i_(`The MLflow server rejected the credentials to ${what} (401): ${said}`);
        if (res.status === 403)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .PermissionError */ .i_(`The MLflow server refused to ${what} (403): ${said}`);
        if (err.error_code === 'RESOURCE_DOES_NOT_EXIST' || res.status === 404)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .NotFoundError */ .m_(`MLflow could not ${what}: ${said || 'not found'}`);
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .MlopsError */ .IC(`The MLflow server failed to ${what} (${res.status}${err.error_code ? ` ${err.error_code}` : ''}): ${said}`, {
            cause: err,
        });
    }
    q = (o) => `?${Object.entries(o)
        .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
        .join('&')}`;
    artifactUrl = (p) => `/api/2.0/mlflow-artifacts/artifacts/${p.split('/').map(encodeURIComponent).join('/')}`;
    /** `mlflow-artifacts:/a/b` → `a/b` */
    artifactPath(source) {
        const m = /^mlflow-artifacts:\/+(.*)$/.exec(source);
        if (!m)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_4__/* .RegistryError */ .gl(`Version source '${source}' is not an mlflow-artifacts: URI written by mlops-actions`);
        return m[1].replace(/\/+$/, '');
    }
    async allVersions(name) {
        const out = [];
        let token;
        do {
            const r = await this.call(`list the versions of '${name}'`, 'GET', `/api/2.0/mlflow/model-versions/search${this.q({ filter: `name='${name}'`, max_results: 200, ...(token ? { page_token: token } : {}) })}`);
            out.push(...(r.model_versions ?? []));
            token = r.next_page_token || undefined;
        } while (token);
        return out
            .filter((v) => v.name === name && (v.status ?? 'READY') === 'READY')
            .sort((a, b) => Number(a.version) - Number(b.version));
    }
    tag = (v, key) => v.tags?.find((t) => t.key === key)?.value;
    async readVersion(v) {
        const root = this.artifactPath(v.source ?? '');
        const doc = JSON.parse((await this.call(`read ${root}/version.json`, 'GET', this.artifactUrl(`${root}/version.json`))).toString('utf8'));
        const withNumber = { ...doc, version: Number(v.version) };
        const base = (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .fromVersionDocument */ .Sp)(withNumber, `models:/${v.name}/${v.version}`, '');
        const { card: _c, uri: _u, ...rest } = base;
        return { ...base, card: (0,_model_card_js__WEBPACK_IMPORTED_MODULE_5__/* .renderModelCard */ .k)(rest) };
    }
    async models() {
        const names = [];
        let token;
        do {
            const r = await this.call('list registered models', 'GET', `/api/2.0/mlflow/registered-models/search${this.q({ max_results: 200, ...(token ? { page_token: token } : {}) })}`);
            names.push(...(r.registered_models ?? []).map((m) => m.name));
            token = r.next_page_token || undefined;
        } while (token);
        return names.sort();
    }
    async versions(name) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(name);
        return Promise.all((await this.allVersions(name)).map((v) => this.readVersion(v)));
    }
    async model(name) {
        try {
            const r = await this.call(`read registered model '${name}'`, 'GET', `/api/2.0/mlflow/registered-models/get${this.q({ name })}`);
            return r.registered_model;
        }
        catch (e) {
            if (e instanceof _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .NotFoundError */ .m_)
                return undefined;
            throw e;
        }
    }
    async aliases(name) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(name);
        const m = await this.model(name);
        return Object.fromEntries((m?.aliases ?? []).map((a) => [a.alias, Number(a.version)]));
    }
    async get(name, ref) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(name);
        const [all, aliases] = await Promise.all([this.allVersions(name), this.aliases(name)]);
        const n = (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .resolveRef */ .qE)(name, ref, all.map((v) => Number(v.version)), aliases);
        return this.readVersion(all.find((v) => Number(v.version) === n));
    }
    async register(req) {
        const name = (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(req.name);
        const bundle = await (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .readModel */ .ko)(req.modelPath);
        const existing = await this.allVersions(name);
        const same = existing.find((v) => (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .sameRegistration */ .YG)({ runId: this.tag(v, 'mlops.run_id') ?? '', digest: this.tag(v, 'mlops.digest') ?? '' }, req.info.runId, bundle.digest));
        if (same)
            return { version: await this.readVersion(same), created: false };
        if (req.version !== undefined) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz('version', 'cannot be chosen on the mlflow backend: MLflow numbers versions itself', 'Leave it empty');
        }
        // 1. Files, under a directory only this registration uses.
        const key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(`${bundle.digest}\0${req.info.runId}`).digest('hex').slice(0, 24);
        const root = `mlops-registry/${name}/${key}`;
        for (const f of bundle.files) {
            await this.call(`upload ${f.path}`, 'PUT', this.artifactUrl(`${root}/model/${f.path}`), await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(f.abs));
        }
        for (const a of req.attachments ?? []) {
            await this.call(`upload ${a.name}`, 'PUT', this.artifactUrl(`${root}/attachments/${(0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .safeRelative */ .iC)(a.name)}`), a.data);
        }
        const createdAt = this.clock().toISOString();
        const doc = {
            schema: _registry_js__WEBPACK_IMPORTED_MODULE_4__/* .VERSION_SCHEMA */ .ns,
            ...req.info,
            name,
            version: 0, // MLflow assigns the number; readers take it from the model version
            digest: bundle.digest,
            createdAt,
            files: bundle.files.map(({ path: p, size, sha256 }) => ({ path: p, size, sha256 })),
        };
        await this.call('upload version.json', 'PUT', this.artifactUrl(`${root}/version.json`), Buffer.from(JSON.stringify(doc, null, 2)));
        // 2. The registered model (once), then the version.
        if (!(await this.model(name))) {
            try {
                await this.call(`create registered model '${name}'`, 'POST', '/api/2.0/mlflow/registered-models/create', {
                    name,
                    tags: [{ key: 'mlops.managed_by', value: 'mlops-actions' }],
                });
            }
            catch (e) {
                if (!/RESOURCE_ALREADY_EXISTS/.test(e.message))
                    throw e; // a concurrent writer created it
            }
        }
        const l = req.info.lineage ?? {};
        const { model_version: mv } = await this.call(`create a version of '${name}'`, 'POST', '/api/2.0/mlflow/model-versions/create', {
            name,
            source: `mlflow-artifacts:/${root}`,
            run_id: req.info.runId,
            ...(l.runUrl ? { run_link: l.runUrl } : {}),
            tags: [
                { key: 'mlops.digest', value: bundle.digest },
                { key: 'mlops.run_id', value: req.info.runId },
                { key: 'mlops.metrics', value: JSON.stringify(req.info.metrics ?? {}) },
                ...(l.sha ? [{ key: 'mlops.git_sha', value: l.sha }] : []),
            ],
        });
        const version = await this.readVersion(mv);
        await this.call(`describe ${name} v${mv.version}`, 'PATCH', '/api/2.0/mlflow/model-versions/update', {
            name,
            version: mv.version,
            description: version.card,
        }).catch((e) => this.log.warning(`${name} v${mv.version} is registered, but its description was not set: ${e.message}`));
        return { version, created: true };
    }
    async historyOf(name) {
        const raw = this.tag((await this.model(name)) ?? { tags: [] }, HISTORY_TAG);
        return raw ? JSON.parse(raw) : [];
    }
    async history(name, alias) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(name);
        return (await this.historyOf(name)).filter((m) => !alias || m.alias === alias);
    }
    async setAlias(name, alias, version, meta = {}) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkName */ .I3)(name);
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .checkAlias */ .ff)(alias);
        const all = await this.allVersions(name);
        if (!all.some((v) => Number(v.version) === version)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .NotFoundError */ .m_(`Cannot point alias '${alias}' at ${name} v${version}: no such version${all.length ? ` (versions: ${all.map((v) => v.version).join(', ')})` : ''}`);
        }
        const from = (await this.aliases(name))[alias];
        await this.call(`set alias '${alias}' of '${name}'`, 'POST', '/api/2.0/mlflow/registered-models/alias', {
            name,
            alias,
            version: String(version),
        });
        const move = {
            alias,
            ...(from !== undefined ? { from } : {}),
            to: version,
            at: this.clock().toISOString(),
            ...(meta.by ? { by: meta.by } : {}),
            ...(meta.reason ? { reason: meta.reason } : {}),
        };
        const history = [...(await this.historyOf(name)), move];
        while (history.length > 1 && JSON.stringify(history).length > HISTORY_LIMIT)
            history.shift();
        await this.call(`record the alias history of '${name}'`, 'POST', '/api/2.0/mlflow/registered-models/set-tag', {
            name,
            key: HISTORY_TAG,
            value: JSON.stringify(history),
        });
        return move;
    }
    async download(name, ref, dir) {
        const v = await this.get(name, ref);
        const all = await this.allVersions(name);
        const root = this.artifactPath(all.find((x) => Number(x.version) === v.version).source ?? '');
        for (const f of v.files) {
            const to = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .safeRelative */ .iC)(f.path));
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(to), { recursive: true });
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(to, await this.call(`download ${f.path}`, 'GET', this.artifactUrl(`${root}/model/${f.path}`)));
        }
        await (0,_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .verifyFiles */ .xJ)(dir, v.files);
        return dir;
    }
}


/***/ }),

/***/ 6468:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ renderModelCard)
/* harmony export */ });
/** Escapes a table cell. */
const cell = (v) => String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const fmt = (n) => (Number.isInteger(n) ? String(n) : Number(n.toPrecision(6)).toString());
/**
 * The model card stored with every version: identity, intended use, metrics, params, data fingerprints,
 * validation summary, lineage and files, as Markdown (sections follow "Model Cards for Model Reporting").
 */
function renderModelCard(v) {
    const out = [`# Model card: ${v.name} v${v.version}`, ''];
    if (v.description)
        out.push(v.description, '');
    out.push('| | |', '| --- | --- |', `| Model | \`${cell(v.name)}\` |`, `| Version | ${v.version} |`, `| Flavor | ${cell(v.flavor ?? 'custom')} |`, `| Digest | \`${v.digest}\` |`, `| Registered | ${v.createdAt} |`, `| Run | \`${cell(v.runId)}\` |`, '', '## Intended use', '', v.intendedUse?.trim() || '_Not stated: set `model.intended_use` in `mlops.yaml`._', '', '## Metrics', '');
    const metrics = Object.entries(v.metrics ?? {});
    if (metrics.length) {
        out.push('| metric | value |', '| --- | ---: |');
        for (const [k, val] of metrics.sort(([a], [b]) => a.localeCompare(b)))
            out.push(`| ${cell(k)} | ${fmt(val)} |`);
    }
    else
        out.push('_No metrics recorded._');
    out.push('', '## Parameters', '');
    const params = Object.entries(v.params ?? {});
    if (params.length) {
        out.push('| param | value |', '| --- | --- |');
        for (const [k, val] of params.sort(([a], [b]) => a.localeCompare(b)))
            out.push(`| ${cell(k)} | \`${cell(typeof val === 'string' ? val : JSON.stringify(val))}\` |`);
    }
    else
        out.push('_No parameters recorded._');
    out.push('', '## Data', '');
    const data = Object.entries(v.dataFingerprints ?? {});
    if (data.length) {
        out.push('| dataset | fingerprint |', '| --- | --- |');
        for (const [k, val] of data)
            out.push(`| ${cell(k)} | \`${cell(val)}\` |`);
    }
    else
        out.push('_No data fingerprints recorded._');
    out.push('', '## Validation', '', v.validation?.trim() || '_No validation summary recorded._', '');
    out.push('## Lineage', '');
    const l = v.lineage ?? {};
    const commit = l.sha && l.repository
        ? `[\`${l.sha.slice(0, 12)}\`](https://github.com/${l.repository}/commit/${l.sha})`
        : l.sha;
    const rows = [
        ['Repository', l.repository],
        ['Commit', commit],
        ['Ref', l.ref],
        ['Workflow', l.workflow],
        ['Workflow run', l.runUrl ? `[${l.runUrl}](${l.runUrl})` : undefined],
        ['Actor', l.actor],
    ];
    const present = rows.filter(([, val]) => val);
    if (present.length) {
        out.push('| | |', '| --- | --- |');
        for (const [k, val] of present)
            out.push(`| ${k} | ${val} |`);
    }
    else
        out.push('_Registered outside a workflow run._');
    out.push('', '## Files', '', '| file | bytes | sha256 |', '| --- | ---: | --- |');
    for (const f of v.files)
        out.push(`| \`${cell(f.path)}\` | ${f.size} | \`${f.sha256.slice(0, 16)}…\` |`);
    out.push('');
    return out.join('\n');
}


/***/ })

};
