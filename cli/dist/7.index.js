export const id = 7;
export const ids = [7];
export const modules = {

/***/ 69007:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   LocalRegistry: () => (/* binding */ LocalRegistry)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(58500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(32635);
/* harmony import */ var _util_fs_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(74560);
/* harmony import */ var _model_card_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(16468);
/* harmony import */ var _registry_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(8689);









/**
 * The `local` backend: a directory, the CLI's default (`.mlops/registry`).
 *
 * ```
 * <root>/<name>/versions/<N>/version.json      metadata (written last, inside the staging directory)
 *                           /MODEL_CARD.md
 *                           /model/...          the model files
 *                           /attachments/...    run record and other files
 * <root>/<name>/aliases.json                   { current: {alias: N}, history: [moves] } (one atomic write)
 * <root>/<name>/.lock/                         the writers' lock
 * ```
 * A version is staged in `<name>/.staging-*` and renamed to `versions/<N>` in one step: a reader sees all of
 * it or nothing. Writers take a `mkdir` lock (stale after `staleMs` without a refresh, or when its owner
 * process on this host is gone). Even if the lock were broken, `rename` onto an existing non-empty
 * directory fails, so two writers can never both get number N: the loser takes N+1.
 */
class LocalRegistry {
    opts;
    kind = 'local';
    address;
    log;
    clock;
    constructor(root, deps, opts = {}) {
        this.opts = opts;
        this.address = root;
        this.log = deps.log;
        this.clock = deps.clock ?? (() => new Date());
    }
    dir(name) {
        return node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.address, (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .checkName */ .I3)(name));
    }
    versionDir(name, v) {
        return node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), 'versions', String(v));
    }
    async models() {
        try {
            const entries = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(this.address, { withFileTypes: true });
            return entries
                .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
                .map((e) => e.name)
                .sort();
        }
        catch (e) {
            if (e.code === 'ENOENT')
                return [];
            throw e;
        }
    }
    async numbers(name) {
        try {
            const entries = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), 'versions'));
            return entries
                .filter((n) => /^\d+$/.test(n))
                .map(Number)
                .sort((a, b) => a - b);
        }
        catch (e) {
            if (e.code === 'ENOENT')
                return [];
            throw e;
        }
    }
    async read(name, v) {
        const dir = this.versionDir(name, v);
        const [doc, card] = await Promise.all([
            (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, 'version.json'), 'utf8'),
            (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, 'MODEL_CARD.md'), 'utf8'),
        ]);
        return (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .fromVersionDocument */ .Sp)(JSON.parse(doc), dir, card);
    }
    async versions(name) {
        return Promise.all((await this.numbers(name)).map((v) => this.read(name, v)));
    }
    async aliasFile(name) {
        return (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_6__/* .readJsonOr */ .G)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), 'aliases.json'), { current: {}, history: [] });
    }
    async aliases(name) {
        return (await this.aliasFile(name)).current;
    }
    async history(name, alias) {
        const h = (await this.aliasFile(name)).history;
        return alias ? h.filter((m) => m.alias === alias) : h;
    }
    async get(name, ref) {
        const [numbers, aliases] = await Promise.all([this.numbers(name), this.aliases(name)]);
        return this.read(name, (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .resolveRef */ .qE)(name, ref, numbers, aliases));
    }
    async register(req) {
        const name = (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .checkName */ .I3)(req.name);
        const bundle = await (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .readModel */ .ko)(req.modelPath);
        return this.locked(name, async () => {
            const existing = await this.versions(name);
            const same = existing.find((v) => (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .sameRegistration */ .YG)(v, req.info.runId, bundle.digest));
            if (same)
                return { version: same, created: false };
            const last = existing.at(-1)?.version ?? 0;
            if (req.version !== undefined && req.version <= last) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz('version', `${req.version} is taken or lower than the latest version (${last}) of '${name}'`, 'Versions only grow; leave it empty to take the next one');
            }
            let version = req.version ?? last + 1;
            const staging = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), `.staging-${process.pid}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}`);
            try {
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(staging, 'model'), { recursive: true });
                for (const f of bundle.files) {
                    const to = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(staging, 'model', (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .safeRelative */ .iC)(f.path));
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().dirname(to), { recursive: true });
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.copyFile)(f.abs, to);
                }
                for (const a of req.attachments ?? []) {
                    await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_6__/* .writeFileAtomic */ .Z)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(staging, 'attachments', (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .safeRelative */ .iC)(a.name)), a.data);
                }
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), 'versions'), { recursive: true });
                for (;;) {
                    const v = (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .makeVersion */ .tq)(name, version, bundle, req.info, this.clock().toISOString(), this.versionDir(name, version), _model_card_js__WEBPACK_IMPORTED_MODULE_8__/* .renderModelCard */ .k);
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(staging, 'MODEL_CARD.md'), v.card);
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(staging, 'version.json'), `${JSON.stringify((0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .versionDocument */ .OD)(v), null, 2)}\n`);
                    try {
                        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(staging, this.versionDir(name, version));
                        this.log.debug(`local registry: ${name} v${version} → ${v.uri}`);
                        return { version: v, created: true };
                    }
                    catch (e) {
                        const code = e.code;
                        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || req.version !== undefined)
                            throw e;
                        version++; // someone broke the lock and took this number: take the next
                    }
                }
            }
            finally {
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(staging, { recursive: true, force: true });
            }
        });
    }
    async setAlias(name, alias, version, meta = {}) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .checkName */ .I3)(name);
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .checkAlias */ .ff)(alias);
        return this.locked(name, async () => {
            const numbers = await this.numbers(name);
            if (!numbers.includes(version)) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .NotFoundError */ .m_(`Cannot point alias '${alias}' at ${name} v${version}: no such version${numbers.length ? ` (versions: ${numbers.join(', ')})` : ''}`);
            }
            const state = await this.aliasFile(name);
            const from = state.current[alias];
            const move = {
                alias,
                ...(from !== undefined ? { from } : {}),
                to: version,
                at: this.clock().toISOString(),
                ...(meta.by ? { by: meta.by } : {}),
                ...(meta.reason ? { reason: meta.reason } : {}),
            };
            state.current[alias] = version;
            state.history.push(move);
            await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_6__/* .writeFileAtomic */ .Z)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), 'aliases.json'), `${JSON.stringify(state, null, 2)}\n`);
            return move;
        });
    }
    async download(name, ref, dir) {
        const v = await this.get(name, ref);
        for (const f of v.files) {
            const to = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .safeRelative */ .iC)(f.path));
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().dirname(to), { recursive: true });
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.copyFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(v.uri, 'model', (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .safeRelative */ .iC)(f.path)), to);
        }
        await (0,_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .verifyFiles */ .xJ)(dir, v.files);
        return dir;
    }
    /** Runs `fn` holding the model's `mkdir` lock. */
    async locked(name, fn) {
        const lock = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.dir(name), '.lock');
        const staleMs = this.opts.staleMs ?? 30_000;
        const deadline = Date.now() + (this.opts.lockTimeoutMs ?? 120_000);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(this.dir(name), { recursive: true });
        const me = { pid: process.pid, host: (0,node_os__WEBPACK_IMPORTED_MODULE_2__.hostname)(), token: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(8).toString('hex') };
        for (let attempt = 0;; attempt++) {
            try {
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(lock);
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(lock, 'owner.json'), JSON.stringify(me));
                break;
            }
            catch (e) {
                if (e.code !== 'EEXIST')
                    throw e;
            }
            if (await this.isStale(lock, staleMs)) {
                this.log.warning(`Removing a stale registry lock ${lock}`);
                // Move it aside first: only one waiter wins the rename, so only one removes it.
                const aside = `${lock}.stale-${me.token}`;
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(lock, aside).then(() => (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(aside, { recursive: true, force: true }), () => undefined);
                continue;
            }
            if (Date.now() > deadline) {
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_7__/* .RegistryError */ .gl(`Timed out waiting for the registry lock ${lock}; if no other mlops process is running, delete it`);
            }
            await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_4__.setTimeout)(10 + Math.floor(Math.random() * 40) + Math.min(attempt, 20) * 5);
        }
        const refresh = setInterval(() => {
            const now = new Date();
            Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 51455, 23)).then((fs) => fs.utimes(lock, now, now)).catch(() => undefined);
        }, staleMs / 3);
        refresh.unref();
        try {
            return await fn();
        }
        finally {
            clearInterval(refresh);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(lock, { recursive: true, force: true });
        }
    }
    /** A lock is stale when its owner process on this host is gone, or nobody refreshed it for `staleMs`. */
    async isStale(lock, staleMs) {
        try {
            const s = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(lock);
            const owner = await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_6__/* .readJsonOr */ .G)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(lock, 'owner.json'), {});
            if (owner.pid && owner.host === (0,node_os__WEBPACK_IMPORTED_MODULE_2__.hostname)() && !alive(owner.pid))
                return true;
            return Date.now() - s.mtimeMs > staleMs;
        }
        catch {
            return false; // gone already: retry at once
        }
    }
}
function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}


/***/ }),

/***/ 16468:
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
