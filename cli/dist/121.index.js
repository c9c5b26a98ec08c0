export const id = 121;
export const ids = [121];
export const modules = {

/***/ 56121:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   OciRegistry: () => (/* binding */ OciRegistry)
/* harmony export */ });
/* unused harmony exports MODEL_ARTIFACT_TYPE, CLAIM_ARTIFACT_TYPE, MOVE_ARTIFACT_TYPE */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(58500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(32635);
/* harmony import */ var _model_card_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(16468);
/* harmony import */ var _registry_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8689);







const MODEL_ARTIFACT_TYPE = 'application/vnd.mlops-actions.model.v1+json';
const CLAIM_ARTIFACT_TYPE = 'application/vnd.mlops-actions.claim.v1+json';
const MOVE_ARTIFACT_TYPE = 'application/vnd.mlops-actions.alias-move.v1+json';
const CONFIG_TYPE = 'application/vnd.mlops-actions.model.config.v1+json';
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';
const FILE_TYPE = 'application/vnd.mlops-actions.model.file.v1';
const CARD_TYPE = 'text/markdown';
const TITLE = 'org.opencontainers.image.title';
const A = 'dev.mlops-actions';
/** OCI repository path components: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`. */
const OCI_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const sha256 = (b) => `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(b).digest('hex')}`;
const json = (v) => Buffer.from(JSON.stringify(v));
/**
 * The `oci` backend: any OCI distribution registry (GHCR, Docker Hub, Harbor, `docker-registry`), spoken to
 * directly over the distribution HTTP API.
 *
 * - Each model is a repository `<namespace>/<name>`. Version N is an OCI manifest with
 *   `artifactType: application/vnd.mlops-actions.model.v1+json`, the version document as its config, one layer
 *   per model file (`org.opencontainers.image.title` = path), the model card and run records as layers, and
 *   lineage and metrics as annotations (`org.opencontainers.image.revision|source|version|created`,
 *   `dev.mlops-actions.*`). It is tagged `v<N>`; an alias is a tag on the same manifest.
 * - Numbers: distribution has no compare-and-swap on tags, so a writer claims N by (1) checking that the tag
 *   `claim-v<N>` does not exist, (2) pushing a claim manifest carrying its own random nonce under that tag,
 *   (3) reading it back, waiting `settleMs`, and reading it again: N is its own only if both reads return its
 *   claim. Otherwise it moves on to N+1. Only the claim's owner ever writes `v<N>`.
 *   **Limit**: a writer that stalls for longer than `settleMs` between (1) and (2) can overwrite a claim that
 *   its owner has already confirmed; two versions could then both be pushed as N and the later one wins the
 *   tag. The default settle time (1.5 s) makes this need a stall of over a second inside one HTTP round trip.
 * - Alias moves are claimed the same way under tags `move-<seq>` (the move in the annotations), then the
 *   alias tag is pushed. The current alias is the last move; the alias tag follows it.
 * - Auth: anonymous first; on a 401 challenge, `Bearer realm=...` gets a token from the realm (with basic
 *   credentials when given), `Basic` uses the credentials directly.
 */
class OciRegistry {
    deps;
    kind = 'oci';
    address;
    base;
    namespace;
    log;
    clock;
    fetch;
    tokens = new Map();
    settleMs;
    constructor(address, deps, opts = {}) {
        this.deps = deps;
        const m = /^(?:(https?):\/\/)?([^/]+)\/(.+?)\/?$/.exec(address.trim());
        if (!m) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .InputError */ .dz('registry', `must be 'host[:port]/namespace' for the oci backend; got '${address}'`);
        }
        const [, scheme, host, ns] = m;
        const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
        this.base = `${scheme ?? (local ? 'http' : 'https')}://${host}`;
        this.namespace = ns;
        this.address = `${host}/${ns}`;
        this.log = deps.log;
        this.clock = deps.clock ?? (() => new Date());
        this.fetch = deps.fetch ?? fetch;
        this.settleMs = opts.settleMs ?? 1500;
    }
    repo(name) {
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .checkName */ .I3)(name);
        if (!OCI_COMPONENT.test(name)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .InputError */ .dz('name', `'${name}' cannot be stored in an OCI registry`, 'Separate words with single ".", "_" or "-" between letters or digits');
        }
        return `${this.namespace}/${name}`;
    }
    // --- HTTP --------------------------------------------------------------------------------------------
    basic() {
        const { username, password, token } = this.deps;
        if (username && (password || token))
            return `Basic ${Buffer.from(`${username}:${password ?? token}`).toString('base64')}`;
        return undefined;
    }
    /** One request with the registry's auth dance; `what` names it in errors. */
    async req(what, method, url, init = {}) {
        const full = url.startsWith('http') ? url : `${this.base}${url}`;
        const key = init.scope ?? 'registry';
        const send = async () => {
            const auth = this.tokens.get(key);
            try {
                return await this.fetch(full, {
                    method,
                    headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
                    ...(init.body ? { body: init.body } : {}),
                    redirect: 'follow',
                });
            }
            catch (e) {
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Could not reach the OCI registry at ${this.base} to ${what}: ${e.message}`, {
                    cause: e,
                });
            }
        };
        let res = await send();
        if (res.status === 401) {
            await res.arrayBuffer().catch(() => undefined);
            await this.authenticate(res.headers.get('www-authenticate') ?? '', key, what);
            res = await send();
        }
        // Reads and manifest writes are idempotent: retry a 5xx (a filesystem registry answers 500 when a tag it
        // reads is being rewritten by a concurrent writer).
        const idempotent = method === 'GET' || method === 'HEAD' || (method === 'PUT' && url.includes('/manifests/'));
        for (let attempt = 0; idempotent && res.status >= 500 && attempt < 4; attempt++) {
            await res.arrayBuffer().catch(() => undefined);
            await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_3__.setTimeout)(100 * 2 ** attempt);
            res = await send();
        }
        if ((init.ok ?? [200, 201, 202, 204]).includes(res.status) || res.status === 404)
            return res;
        const text = (await res.text().catch(() => '')).slice(0, 300);
        if (res.status === 401)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .PermissionError */ .i_(`The OCI registry ${this.address} rejected the credentials to ${what} (401): ${text}`);
        if (res.status === 403)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .PermissionError */ .i_(`The OCI registry ${this.address} refused to ${what} (403): ${text}. The credentials need push access.`);
        throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry ${this.address} failed to ${what} (${res.status}): ${text}`);
    }
    async authenticate(challenge, key, what) {
        const basic = this.basic();
        const scheme = challenge.split(' ')[0]?.toLowerCase();
        if (scheme === 'basic') {
            if (!basic)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .PermissionError */ .i_(`The OCI registry ${this.address} needs a user name and password to ${what}`);
            this.tokens.set(key, basic);
            return;
        }
        if (scheme !== 'bearer') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .PermissionError */ .i_(`The OCI registry ${this.address} asked for unsupported auth '${challenge}' to ${what}`);
        }
        const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (!params.realm)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry's Bearer challenge has no realm: '${challenge}'`);
        const u = new URL(params.realm);
        if (params.service)
            u.searchParams.set('service', params.service);
        if (params.scope)
            u.searchParams.set('scope', params.scope);
        else if (key !== 'registry')
            u.searchParams.set('scope', key);
        const res = await this.fetch(u, { headers: basic ? { authorization: basic } : {} }).catch((e) => {
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Could not reach the token service ${u.origin}: ${e.message}`);
        });
        if (!res.ok) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .PermissionError */ .i_(`The token service of ${this.address} refused a token to ${what} (${res.status})${basic ? '' : ': no credentials were given (registry-username, registry-password)'}`);
        }
        const body = (await res.json());
        const token = body.token ?? body.access_token;
        if (!token)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The token service of ${this.address} answered without a token`);
        this.tokens.set(key, `Bearer ${token}`);
    }
    scope = (repo) => `repository:${repo}:pull,push`;
    async blobExists(repo, digest) {
        const r = await this.req('check a blob', 'HEAD', `/v2/${repo}/blobs/${digest}`, {
            scope: this.scope(repo),
        });
        return r.status === 200;
    }
    async pushBlob(repo, data) {
        const digest = sha256(data);
        if (await this.blobExists(repo, digest))
            return digest;
        const start = await this.req('start a blob upload', 'POST', `/v2/${repo}/blobs/uploads/`, {
            scope: this.scope(repo),
        });
        const loc = start.headers.get('location');
        if (start.status !== 202 || !loc)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry did not start a blob upload (${start.status})`);
        const url = new URL(loc, this.base);
        url.searchParams.set('digest', digest);
        const put = await this.req('upload a blob', 'PUT', url.toString(), {
            scope: this.scope(repo),
            body: data,
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) },
        });
        if (put.status !== 201)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry did not accept blob ${digest} (${put.status})`);
        return digest;
    }
    async blob(repo, digest) {
        const r = await this.req('download a blob', 'GET', `/v2/${repo}/blobs/${digest}`, {
            scope: this.scope(repo),
        });
        if (r.status === 404)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Blob ${digest} is missing from ${repo}`);
        const b = Buffer.from(await r.arrayBuffer());
        if (sha256(b) !== digest)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Blob ${digest} of ${repo} does not match its digest`);
        return b;
    }
    async putManifest(repo, ref, m) {
        const body = json(m);
        const r = await this.req(`push ${repo}:${ref}`, 'PUT', `/v2/${repo}/manifests/${ref}`, {
            scope: this.scope(repo),
            body,
            headers: { 'content-type': MANIFEST_TYPE },
        });
        if (r.status !== 201)
            throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry did not accept ${repo}:${ref} (${r.status})`);
        return sha256(body);
    }
    async manifest(repo, ref) {
        const r = await this.req(`read ${repo}:${ref}`, 'GET', `/v2/${repo}/manifests/${ref}`, {
            scope: this.scope(repo),
            headers: { accept: MANIFEST_TYPE },
        });
        if (r.status === 404)
            return undefined;
        const body = Buffer.from(await r.arrayBuffer());
        return { m: JSON.parse(body.toString('utf8')), digest: sha256(body) };
    }
    async tags(repo) {
        const out = [];
        let next = `/v2/${repo}/tags/list?n=1000`;
        while (next) {
            const r = await this.req(`list the tags of ${repo}`, 'GET', next, { scope: this.scope(repo) });
            if (r.status === 404)
                return [];
            const body = (await r.json());
            out.push(...(body.tags ?? []));
            const link = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '');
            next = link?.[1];
        }
        return out;
    }
    // --- claims --------------------------------------------------------------------------------------------
    async emptyConfig(repo) {
        const data = Buffer.from('{}');
        return { mediaType: EMPTY_TYPE, digest: await this.pushBlob(repo, data), size: data.byteLength };
    }
    /** Claims `tag` (check, write with a nonce, read back twice): true when this writer owns it. */
    claimManifest(artifactType, empty, annotations, nonce) {
        return {
            schemaVersion: 2,
            mediaType: MANIFEST_TYPE,
            artifactType,
            config: empty,
            layers: [empty],
            annotations: {
                ...annotations,
                [`${A}.claim.nonce`]: nonce,
                'org.opencontainers.image.created': this.clock().toISOString(),
            },
        };
    }
    /**
     * Claims `tag` (check, write with a nonce, read back twice). Returns a function that rewrites the claim's
     * annotations (only its owner may), or undefined when another writer owns the tag.
     */
    async claim(repo, tag, artifactType, annotations) {
        if (await this.manifest(repo, tag))
            return undefined;
        const empty = await this.emptyConfig(repo);
        const nonce = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(16).toString('hex');
        const mine = await this.putManifest(repo, tag, this.claimManifest(artifactType, empty, annotations, nonce));
        if ((await this.manifest(repo, tag))?.digest !== mine)
            return undefined;
        await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_3__.setTimeout)(this.settleMs);
        if ((await this.manifest(repo, tag))?.digest !== mine)
            return undefined;
        return (next) => this.putManifest(repo, tag, this.claimManifest(artifactType, empty, next, nonce));
    }
    // --- the registry --------------------------------------------------------------------------------------
    async models() {
        const prefix = `${this.namespace}/`;
        const names = [];
        let next = '/v2/_catalog?n=1000';
        while (next) {
            const r = await this.req('list repositories (catalog API)', 'GET', next, {
                scope: 'registry:catalog:*',
            });
            if (r.status === 404)
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`The OCI registry ${this.address} does not offer the catalog API`);
            const body = (await r.json());
            for (const n of body.repositories ?? []) {
                if (n.startsWith(prefix) && !n.slice(prefix.length).includes('/'))
                    names.push(n.slice(prefix.length));
            }
            next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
        }
        return names.sort();
    }
    async numbers(repo) {
        const tags = await this.tags(repo);
        const nums = (re) => tags
            .map((t) => re.exec(t))
            .filter((m) => m)
            .map((m) => Number(m[1]))
            .sort((a, b) => a - b);
        return { versions: nums(/^v(\d+)$/), claims: nums(/^claim-v(\d+)$/), tags };
    }
    async readVersion(repo, ref) {
        const got = await this.manifest(repo, ref);
        if (!got)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .NotFoundError */ .m_(`${this.address}/${repo.split('/').at(-1)}:${ref} does not exist`);
        const doc = JSON.parse((await this.blob(repo, got.m.config.digest)).toString('utf8'));
        const cardLayer = got.m.layers.find((l) => l.annotations?.[TITLE] === 'MODEL_CARD.md' && l.mediaType === CARD_TYPE);
        const card = cardLayer ? (await this.blob(repo, cardLayer.digest)).toString('utf8') : '';
        return (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .fromVersionDocument */ .Sp)(doc, `${this.host()}/${repo}@${got.digest}`, card);
    }
    async versions(name) {
        const repo = this.repo(name);
        const { versions } = await this.numbers(repo);
        return Promise.all(versions.map((v) => this.readVersion(repo, `v${v}`)));
    }
    async get(name, ref) {
        const repo = this.repo(name);
        const [{ versions }, aliases] = await Promise.all([this.numbers(repo), this.aliases(name)]);
        return this.readVersion(repo, `v${(0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .resolveRef */ .qE)(name, ref, versions, aliases)}`);
    }
    async register(req) {
        const repo = this.repo(req.name);
        const bundle = await (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .readModel */ .ko)(req.modelPath);
        const { versions, claims } = await this.numbers(repo);
        for (const n of versions) {
            const m = (await this.manifest(repo, `v${n}`))?.m;
            const a = m?.annotations ?? {};
            if ((0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .sameRegistration */ .YG)({ runId: a[`${A}.run-id`] ?? '', digest: a[`${A}.model-digest`] ?? '' }, req.info.runId, bundle.digest)) {
                return { version: await this.readVersion(repo, `v${n}`), created: false };
            }
        }
        const last = Math.max(0, ...versions, ...claims);
        if (req.version !== undefined && req.version <= last) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .InputError */ .dz('version', `${req.version} is taken or lower than the latest version (${last}) of '${req.name}'`, 'Versions only grow; leave it empty to take the next one');
        }
        // Blobs first: nothing is tagged until every file is in the registry.
        const layers = [];
        for (const f of bundle.files) {
            const data = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(f.abs);
            layers.push({
                mediaType: FILE_TYPE,
                digest: await this.pushBlob(repo, data),
                size: data.byteLength,
                annotations: { [TITLE]: f.path },
            });
        }
        for (const a of req.attachments ?? []) {
            layers.push({
                mediaType: 'application/json',
                digest: await this.pushBlob(repo, a.data),
                size: a.data.byteLength,
                annotations: { [TITLE]: `attachments/${a.name}` },
            });
        }
        let version = req.version ?? last + 1;
        for (let attempt = 0;; attempt++) {
            if ((await this.claim(repo, `claim-v${version}`, CLAIM_ARTIFACT_TYPE, {
                [`${A}.run-id`]: req.info.runId,
            })) !== undefined)
                break;
            if (req.version !== undefined)
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Version ${version} of '${req.name}' was claimed by another writer`);
            if (attempt > 100)
                throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Could not claim a version number for '${req.name}' after 100 tries`);
            version++;
        }
        const createdAt = this.clock().toISOString();
        const v = (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .makeVersion */ .tq)(req.name, version, bundle, req.info, createdAt, '', _model_card_js__WEBPACK_IMPORTED_MODULE_6__/* .renderModelCard */ .k);
        const config = json((0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .versionDocument */ .OD)(v));
        const card = Buffer.from(v.card);
        const l = v.lineage ?? {};
        const manifest = {
            schemaVersion: 2,
            mediaType: MANIFEST_TYPE,
            artifactType: MODEL_ARTIFACT_TYPE,
            config: { mediaType: CONFIG_TYPE, digest: await this.pushBlob(repo, config), size: config.byteLength },
            layers: [
                ...layers,
                {
                    mediaType: CARD_TYPE,
                    digest: await this.pushBlob(repo, card),
                    size: card.byteLength,
                    annotations: { [TITLE]: 'MODEL_CARD.md' },
                },
            ],
            annotations: {
                'org.opencontainers.image.title': req.name,
                'org.opencontainers.image.version': String(version),
                'org.opencontainers.image.created': createdAt,
                ...(l.sha ? { 'org.opencontainers.image.revision': l.sha } : {}),
                ...(l.repository ? { 'org.opencontainers.image.source': `https://github.com/${l.repository}` } : {}),
                ...(v.description ? { 'org.opencontainers.image.description': v.description.slice(0, 1000) } : {}),
                [`${A}.model-digest`]: bundle.digest,
                [`${A}.run-id`]: req.info.runId,
                ...(l.runUrl ? { [`${A}.run-url`]: l.runUrl } : {}),
                [`${A}.metrics`]: JSON.stringify(v.metrics ?? {}),
                ...(v.flavor ? { [`${A}.flavor`]: v.flavor } : {}),
            },
        };
        const digest = await this.putManifest(repo, `v${version}`, manifest);
        this.log.debug(`oci registry: ${repo}:v${version} → ${digest}`);
        return { version: { ...v, uri: `${this.host()}/${repo}@${digest}` }, created: true };
    }
    host = () => this.address.split('/')[0];
    async moves(repo) {
        const tags = (await this.tags(repo)).filter((t) => /^move-\d+$/.test(t)).sort();
        const out = [];
        for (const t of tags) {
            const a = (await this.manifest(repo, t))?.m.annotations ?? {};
            const raw = a[`${A}.move`];
            if (raw)
                out.push({ ...JSON.parse(raw), seq: Number(t.slice(5)) });
        }
        return out.sort((x, y) => x.seq - y.seq);
    }
    async aliases(name) {
        const out = {};
        for (const m of await this.moves(this.repo(name)))
            out[m.alias] = m.to;
        return out;
    }
    async history(name, alias) {
        return (await this.moves(this.repo(name)))
            .filter((m) => !alias || m.alias === alias)
            .map(({ seq: _s, ...m }) => m);
    }
    async setAlias(name, alias, version, meta = {}) {
        const repo = this.repo(name);
        (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .checkAlias */ .ff)(alias);
        const target = await this.manifest(repo, `v${version}`);
        if (!target) {
            const { versions } = await this.numbers(repo);
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .NotFoundError */ .m_(`Cannot point alias '${alias}' at ${name} v${version}: no such version${versions.length ? ` (versions: ${versions.join(', ')})` : ''}`);
        }
        for (let attempt = 0; attempt < 100; attempt++) {
            const moves = await this.moves(repo);
            const from = moves.filter((m) => m.alias === alias).at(-1)?.to;
            const seq = (moves.at(-1)?.seq ?? 0) + 1;
            const move = {
                alias,
                ...(from !== undefined ? { from } : {}),
                to: version,
                at: this.clock().toISOString(),
                ...(meta.by ? { by: meta.by } : {}),
                ...(meta.reason ? { reason: meta.reason } : {}),
            };
            const rewrite = await this.claim(repo, `move-${String(seq).padStart(6, '0')}`, MOVE_ARTIFACT_TYPE, {
                [`${A}.move`]: JSON.stringify(move),
            });
            if (rewrite) {
                // `from` was read before the claim, possibly from a move whose claim was then lost: now that every
                // earlier sequence number is settled, read it again and correct the record if needed.
                const before = (await this.moves(repo)).filter((m) => m.seq < seq && m.alias === alias).at(-1)?.to;
                let final = move;
                if (before !== from) {
                    const { from: _f, ...rest } = move;
                    final = { ...rest, ...(before !== undefined ? { from: before } : {}) };
                    await rewrite({ [`${A}.move`]: JSON.stringify(final) });
                }
                await this.putManifest(repo, alias, target.m);
                return final;
            }
        }
        throw new _registry_js__WEBPACK_IMPORTED_MODULE_5__/* .RegistryError */ .gl(`Could not record the move of alias '${alias}' of '${name}' after 100 tries`);
    }
    async download(name, ref, dir) {
        const repo = this.repo(name);
        const v = await this.get(name, ref);
        const m = (await this.manifest(repo, `v${v.version}`)).m;
        for (const layer of m.layers.filter((x) => x.mediaType === FILE_TYPE)) {
            const rel = (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .safeRelative */ .iC)(layer.annotations?.[TITLE] ?? '');
            const to = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, rel);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(to), { recursive: true });
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(to, await this.blob(repo, layer.digest));
        }
        await (0,_registry_js__WEBPACK_IMPORTED_MODULE_5__/* .verifyFiles */ .xJ)(dir, v.files);
        return dir;
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
