export const id = 214;
export const ids = [214];
export const modules = {

/***/ 6214:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GitHubRegistry: () => (/* binding */ GitHubRegistry)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./shared/errors.ts
var errors = __webpack_require__(2635);
;// CONCATENATED MODULE: ./shared/forge/github-forge.ts

const isRequestError = (e) => typeof e === 'object' && e !== null && typeof e.status === 'number';
/**
 * Turns an Octokit failure into a named error that says what we tried, what GitHub said and what to do:
 * 401/403 name the permission the job needs, 404 the object, anything else what GitHub answered (after the
 * retry plugin has already retried 5xx).
 */
async function githubCall(what, permission, fn) {
    try {
        return await fn();
    }
    catch (e) {
        if (!isRequestError(e))
            throw e;
        const said = e.message.split('\n')[0];
        if (e.status === 401) {
            throw new errors/* PermissionError */.i_(`GitHub rejected the token while trying to ${what} (401: ${said}). Check the 'github-token' input.`, permission, { cause: e });
        }
        if (e.status === 403 && e.response?.headers?.['x-ratelimit-remaining'] !== '0') {
            throw new errors/* PermissionError */.i_(`GitHub refused to ${what} (403: ${said}). The token needs '${permission}': add it to the job's 'permissions:' block (or pass a token that has it).`, permission, { cause: e });
        }
        if (e.status === 404)
            throw new errors/* NotFoundError */.m_(`GitHub could not ${what}: not found (404: ${said}).`, { cause: e });
        throw new errors/* MlopsError */.IC(`GitHub failed to ${what} (${e.status}: ${said}).`, { cause: e });
    }
}
const toIssue = (d) => ({
    number: d.number,
    title: d.title,
    body: d.body ?? '',
    state: d.state === 'closed' ? 'closed' : 'open',
    labels: d.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    url: d.html_url,
});
const toRelease = (d) => ({
    id: d.id,
    tag: d.tag_name,
    name: d.name ?? d.tag_name,
    body: d.body ?? '',
    url: d.html_url,
});
/** The forge on GitHub (or GHES, or the test stand-in): REST through one retrying, throttled Octokit. */
class GitHubForge {
    octokit;
    repo;
    description;
    constructor(octokit, repo) {
        this.octokit = octokit;
        this.repo = repo;
        this.description = `${repo.owner}/${repo.repo}`;
    }
    async *comments(issueNumber) {
        const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
            ...this.repo,
            issue_number: issueNumber,
            per_page: 100,
        });
        const it = pages[Symbol.asyncIterator]();
        for (;;) {
            const page = await githubCall(`list the comments of #${issueNumber}`, 'pull-requests: read', () => it.next());
            if (page.done)
                return;
            for (const c of page.value.data)
                yield { id: c.id, body: c.body ?? '', url: c.html_url };
        }
    }
    async createComment(issueNumber, body) {
        const { data } = await githubCall(`comment on #${issueNumber}`, 'pull-requests: write', () => this.octokit.rest.issues.createComment({ ...this.repo, issue_number: issueNumber, body }));
        return { id: data.id, body: data.body ?? '', url: data.html_url };
    }
    async updateComment(commentId, body) {
        const { data } = await githubCall(`update comment ${commentId}`, 'pull-requests: write', () => this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: commentId, body }));
        return { id: data.id, body: data.body ?? '', url: data.html_url };
    }
    async *issues(query) {
        const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
            ...this.repo,
            state: query.state ?? 'open',
            ...(query.labels?.length ? { labels: query.labels.join(',') } : {}),
            per_page: 100,
        });
        const it = pages[Symbol.asyncIterator]();
        for (;;) {
            const page = await githubCall('list issues', 'issues: read', () => it.next());
            if (page.done)
                return;
            // The issues endpoint also returns pull requests; they are not ours to manage.
            for (const d of page.value.data)
                if (!d.pull_request)
                    yield toIssue(d);
        }
    }
    async createIssue(issue) {
        const { data } = await githubCall('open an issue', 'issues: write', () => this.octokit.rest.issues.create({
            ...this.repo,
            ...issue,
            labels: issue.labels ? [...issue.labels] : [],
        }));
        return toIssue(data);
    }
    async updateIssue(issueNumber, patch) {
        const { data } = await githubCall(`update issue #${issueNumber}`, 'issues: write', () => this.octokit.rest.issues.update({
            ...this.repo,
            issue_number: issueNumber,
            title: patch.title,
            body: patch.body,
            state: patch.state,
            labels: patch.labels ? [...patch.labels] : undefined,
        }));
        return toIssue(data);
    }
    async createRelease(r) {
        const { data } = await githubCall(`create release ${r.tag}`, 'contents: write', () => this.octokit.rest.repos.createRelease({
            ...this.repo,
            tag_name: r.tag,
            name: r.name,
            body: r.body,
            ...(r.targetSha ? { target_commitish: r.targetSha } : {}),
        }));
        return toRelease(data);
    }
    async releaseByTag(tag) {
        try {
            const { data } = await githubCall(`find release ${tag}`, 'contents: read', () => this.octokit.rest.repos.getReleaseByTag({ ...this.repo, tag }));
            return toRelease(data);
        }
        catch (e) {
            if (e instanceof NotFoundError)
                return undefined;
            throw e;
        }
    }
    async uploadReleaseAsset(releaseId, name, data, contentType = 'application/octet-stream') {
        // Uploads go to the release's own upload URL (uploads.github.com on github.com), not the API host.
        const { data: release } = await githubCall(`find release ${releaseId}`, 'contents: read', () => this.octokit.rest.repos.getRelease({ ...this.repo, release_id: releaseId }));
        await githubCall(`upload ${name} to release ${releaseId}`, 'contents: write', () => this.octokit.rest.repos.uploadReleaseAsset({
            ...this.repo,
            url: release.upload_url,
            release_id: releaseId,
            name,
            // Octokit sends the body as is; its types say string.
            data: data,
            headers: { 'content-type': contentType, 'content-length': data.byteLength },
        }));
    }
    async createDeployment(d) {
        const { data } = await githubCall(`create a deployment to ${d.environment}`, 'deployments: write', () => this.octokit.rest.repos.createDeployment({
            ...this.repo,
            ref: d.ref,
            environment: d.environment,
            description: d.description,
            payload: JSON.stringify(d.payload),
            auto_merge: false,
            required_contexts: [],
            transient_environment: false,
        }));
        if (!('id' in data))
            throw new MlopsError(`GitHub did not create the deployment: ${data.message ?? 'no reason given'}`);
        return { id: data.id };
    }
    async setDeploymentStatus(deploymentId, s) {
        await githubCall(`set the status of deployment ${deploymentId}`, 'deployments: write', () => this.octokit.rest.repos.createDeploymentStatus({
            ...this.repo,
            deployment_id: deploymentId,
            state: s.state,
            ...(s.description ? { description: s.description.slice(0, 140) } : {}),
            ...(s.logUrl ? { log_url: s.logUrl } : {}),
        }));
    }
    async dispatchWorkflow(workflow, ref, inputs) {
        await githubCall(`dispatch workflow ${workflow}`, 'actions: write', () => this.octokit.rest.actions.createWorkflowDispatch({ ...this.repo, workflow_id: workflow, ref, inputs }));
    }
}

// EXTERNAL MODULE: ./shared/github/context.ts
var context = __webpack_require__(3643);
// EXTERNAL MODULE: ./shared/registry/model-card.ts
var model_card = __webpack_require__(6468);
// EXTERNAL MODULE: ./shared/registry/registry.ts
var registry = __webpack_require__(1070);
;// CONCATENATED MODULE: ./shared/registry/backends/github.ts







const MARKER = /<!-- mlops-registry (\{.*?\}) -->/;
const github_status = (e) => e?.status;
/** The Octokit error under a `githubCall` wrapper. */
const httpStatus = (e) => github_status(e) ?? github_status(e?.cause);
/** Asset names keep letters, digits, `.`, `_`, `-` (GitHub rewrites the rest); the index keeps them unique. */
const assetName = (i, file) => `file-${String(i).padStart(4, '0')}-${external_node_path_default().posix.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`;
/**
 * The `github` backend: a repository's Releases and git refs.
 *
 * - Version N of `churn` is the release tagged `churn/vN`, with the model files, `version.json`,
 *   `MODEL_CARD.md` (also the release body) and the run records as assets.
 * - Numbers are claimed by creating the ref `refs/tags/churn/vN` through the API: GitHub answers 422 when it
 *   exists, so exactly one writer gets N and the others take N+1. The release is created as a draft, filled,
 *   then published; readers only see published releases. A failed registration deletes its draft and ref
 *   (the number is not reused while the ref exists; a deleted one may be).
 * - Aliases: each move is an asset `alias-move-<seq>.json` (label `alias=version`) on the prerelease
 *   `churn/registry`. Asset names are unique per release (422 otherwise), so concurrent moves serialize;
 *   the current alias is the last move. The ref `refs/tags/churn/<alias>` follows, for people and `git`.
 */
class GitHubRegistry {
    octokit;
    repo;
    deps;
    kind = 'github';
    address;
    log;
    clock;
    shaPromise;
    constructor(octokit, repo, deps) {
        this.octokit = octokit;
        this.repo = repo;
        this.deps = deps;
        this.address = `${repo.owner}/${repo.repo}`;
        this.log = deps.log;
        this.clock = deps.clock ?? (() => new Date());
    }
    /** The product path: the shared Octokit (retry + throttling) for `owner/repo`. */
    static async open(address, deps) {
        const repo = (0,context/* parseRepo */.E3)(address);
        if (!repo)
            throw new errors/* InputError */.dz('registry', `must be 'owner/repo' for the github backend; got '${address}'`);
        if (!deps.token)
            throw new errors/* InputError */.dz('github-token', 'is empty; the github backend needs a token with contents: write');
        const { createOctokit } = await Promise.all(/* import() */[__webpack_require__.e(239), __webpack_require__.e(881)]).then(__webpack_require__.bind(__webpack_require__, 4881));
        return new GitHubRegistry(createOctokit(deps.token, deps.log), repo, deps);
    }
    call(what, fn, permission = 'contents: write') {
        return githubCall(what, permission, fn);
    }
    /** The commit version tags point at: the run's commit, else the default branch head. */
    commit() {
        this.shaPromise ??= (async () => {
            if (this.deps.sha)
                return this.deps.sha;
            const { data: r } = await this.call('read the repository', () => this.octokit.rest.repos.get({ ...this.repo }), 'contents: read');
            const { data: ref } = await this.call('read the default branch', () => this.octokit.rest.git.getRef({ ...this.repo, ref: `heads/${r.default_branch}` }), 'contents: read');
            return ref.object.sha;
        })();
        return this.shaPromise;
    }
    async releases() {
        return this.call('list releases', () => this.octokit.paginate(this.octokit.rest.repos.listReleases, { ...this.repo, per_page: 100 }), 'contents: read');
    }
    async versionReleases(name) {
        const out = new Map();
        for (const r of await this.releases()) {
            const m = /^(.+)\/v(\d+)$/.exec(r.tag_name);
            if (m && m[1] === name && !r.draft)
                out.set(Number(m[2]), r);
        }
        return new Map([...out].sort(([a], [b]) => a - b));
    }
    async releaseByTag(tag) {
        try {
            const { data } = await this.octokit.rest.repos.getReleaseByTag({ ...this.repo, tag });
            return data;
        }
        catch (e) {
            if (github_status(e) === 404)
                return undefined;
            return this.call(`read release ${tag}`, () => Promise.reject(e), 'contents: read');
        }
    }
    async asset(id, what) {
        const { data } = await this.call(`download ${what}`, () => this.octokit.rest.repos.getReleaseAsset({
            ...this.repo,
            asset_id: id,
            headers: { accept: 'application/octet-stream' },
        }), 'contents: read');
        return Buffer.from(data);
    }
    async readVersion(r) {
        const doc = r.assets.find((a) => a.name === 'version.json');
        if (!doc)
            throw new registry/* RegistryError */.gl(`Release ${r.tag_name} has no version.json asset: not a model version`);
        const json = JSON.parse((await this.asset(doc.id, `${r.tag_name}/version.json`)).toString('utf8'));
        return (0,registry/* fromVersionDocument */.Sp)(json, r.html_url, (r.body ?? '').replace(MARKER, '').trimEnd());
    }
    async models() {
        const names = new Set();
        for (const r of await this.releases()) {
            const m = /^(.+)\/v\d+$/.exec(r.tag_name);
            if (m && !r.draft)
                names.add(m[1]);
        }
        return [...names].sort();
    }
    async versions(name) {
        (0,registry/* checkName */.I3)(name);
        return Promise.all([...(await this.versionReleases(name)).values()].map((r) => this.readVersion(r)));
    }
    async get(name, ref) {
        (0,registry/* checkName */.I3)(name);
        const [releases, aliases] = await Promise.all([this.versionReleases(name), this.aliases(name)]);
        const v = (0,registry/* resolveRef */.qE)(name, ref, [...releases.keys()], aliases);
        return this.readVersion(releases.get(v));
    }
    async register(req) {
        const name = (0,registry/* checkName */.I3)(req.name);
        const bundle = await (0,registry/* readModel */.ko)(req.modelPath);
        const releases = await this.versionReleases(name);
        for (const r of releases.values()) {
            const m = MARKER.exec(r.body ?? '');
            const key = m ? JSON.parse(m[1]) : undefined;
            if (key && (0,registry/* sameRegistration */.YG)(key, req.info.runId, bundle.digest)) {
                return { version: await this.readVersion(r), created: false };
            }
        }
        const sha = await this.commit();
        const { data: refs } = await this.call('list version tags', () => this.octokit.rest.git.listMatchingRefs({ ...this.repo, ref: `tags/${name}/v` }), 'contents: read');
        const claimed = refs
            .map((r) => /\/v(\d+)$/.exec(r.ref))
            .filter((m) => m)
            .map((m) => Number(m[1]));
        const last = Math.max(0, ...claimed, ...releases.keys());
        if (req.version !== undefined && req.version <= last) {
            throw new errors/* InputError */.dz('version', `${req.version} is taken or lower than the latest version (${last}) of '${name}'`, 'Versions only grow; leave it empty to take the next one');
        }
        let version = req.version ?? last + 1;
        for (let attempt = 0;; attempt++) {
            try {
                await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/tags/${name}/v${version}`, sha });
                break;
            }
            catch (e) {
                if (github_status(e) !== 422 || req.version !== undefined || attempt >= 100) {
                    return this.call(`claim version ${version} (tag ${name}/v${version})`, () => Promise.reject(e));
                }
                this.log.debug(`${name}/v${version} is taken; trying v${version + 1}`);
                version++;
            }
        }
        return { version: await this.publish(name, version, sha, bundle, req), created: true };
    }
    /** Draft release → assets → published; on failure, removes the draft and the claimed tag. */
    async publish(name, version, sha, bundle, req) {
        const tag = `${name}/v${version}`;
        let release;
        try {
            const draft = (0,registry/* makeVersion */.tq)(name, version, bundle, req.info, this.clock().toISOString(), '', model_card/* renderModelCard */.k);
            const marker = `<!-- mlops-registry ${JSON.stringify({ runId: req.info.runId, digest: bundle.digest })} -->`;
            const { data } = await this.call(`create the release ${tag}`, () => this.octokit.rest.repos.createRelease({
                ...this.repo,
                tag_name: tag,
                target_commitish: sha,
                name: `${name} v${version}`,
                body: `${draft.card}\n${marker}\n`,
                draft: true,
            }));
            release = data;
            const upload = (assetName, body, contentType) => this.call(`upload ${assetName} to ${tag}`, () => this.octokit.rest.repos.uploadReleaseAsset({
                ...this.repo,
                url: release.upload_url,
                release_id: release.id,
                name: assetName,
                data: body,
                headers: { 'content-type': contentType, 'content-length': body.byteLength },
            }));
            for (const [i, f] of bundle.files.entries()) {
                await upload(assetName(i, f.path), await (0,promises_.readFile)(f.abs), 'application/octet-stream');
            }
            for (const a of req.attachments ?? [])
                await upload(a.name, a.data, 'application/json');
            await upload('MODEL_CARD.md', Buffer.from(draft.card), 'text/markdown');
            await upload('version.json', Buffer.from(JSON.stringify((0,registry/* versionDocument */.OD)(draft), null, 2)), 'application/json');
            const { data: published } = await this.call(`publish the release ${tag}`, () => this.octokit.rest.repos.updateRelease({ ...this.repo, release_id: release.id, draft: false }));
            this.log.debug(`github registry: ${tag} → ${published.html_url}`);
            return { ...draft, uri: published.html_url };
        }
        catch (e) {
            this.log.warning(`Registering ${tag} failed; removing the draft release and the tag so no half version remains`);
            if (release)
                await this.octokit.rest.repos
                    .deleteRelease({ ...this.repo, release_id: release.id })
                    .catch(() => undefined);
            await this.octokit.rest.git.deleteRef({ ...this.repo, ref: `tags/${tag}` }).catch(() => undefined);
            throw e;
        }
    }
    // --- aliases -----------------------------------------------------------------------------------------
    registryTag = (name) => `${name}/registry`;
    async registryRelease(name, create) {
        const tag = this.registryTag(name);
        const found = await this.releaseByTag(tag);
        if (found || !create)
            return found;
        const sha = await this.commit();
        try {
            const { data } = await this.octokit.rest.repos.createRelease({
                ...this.repo,
                tag_name: tag,
                target_commitish: sha,
                name: `${name}: alias history`,
                body: `Every alias move of the model \`${name}\`, one asset each (\`alias-move-<seq>.json\`), kept by mlops-actions.`,
                prerelease: true,
                make_latest: 'false',
            });
            return data;
        }
        catch (e) {
            if (github_status(e) === 422)
                return this.releaseByTag(tag); // another writer created it first
            return this.call(`create the release ${tag}`, () => Promise.reject(e));
        }
    }
    moves(r) {
        return (r?.assets ?? [])
            .map((a) => ({
            a,
            m: /^alias-move-(\d+)\.json$/.exec(a.name),
            l: /^([^=]+)=(\d+)$/.exec(a.label ?? ''),
        }))
            .filter((x) => x.m && x.l)
            .map((x) => ({ seq: Number(x.m[1]), alias: x.l[1], to: Number(x.l[2]), asset: x.a }))
            .sort((a, b) => a.seq - b.seq);
    }
    async aliases(name) {
        (0,registry/* checkName */.I3)(name);
        const out = {};
        for (const m of this.moves(await this.registryRelease(name, false)))
            out[m.alias] = m.to;
        return out;
    }
    async history(name, alias) {
        (0,registry/* checkName */.I3)(name);
        const moves = this.moves(await this.registryRelease(name, false)).filter((m) => !alias || m.alias === alias);
        return Promise.all(moves.map(async (m) => JSON.parse((await this.asset(m.asset.id, m.asset.name)).toString('utf8'))));
    }
    async setAlias(name, alias, version, meta = {}) {
        (0,registry/* checkName */.I3)(name);
        (0,registry/* checkAlias */.ff)(alias);
        const target = await this.releaseByTag(`${name}/v${version}`);
        if (!target) {
            const known = [...(await this.versionReleases(name)).keys()];
            throw new errors/* NotFoundError */.m_(`Cannot point alias '${alias}' at ${name} v${version}: no such version${known.length ? ` (versions: ${known.join(', ')})` : ''}`);
        }
        for (let attempt = 0;; attempt++) {
            const release = (await this.registryRelease(name, true));
            const moves = this.moves(release);
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
            const body = Buffer.from(JSON.stringify(move));
            try {
                await this.octokit.rest.repos.uploadReleaseAsset({
                    ...this.repo,
                    url: release.upload_url,
                    release_id: release.id,
                    name: `alias-move-${String(seq).padStart(6, '0')}.json`,
                    label: `${alias}=${version}`,
                    data: body,
                    headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
                });
            }
            catch (e) {
                if (httpStatus(e) === 422 && attempt < 50)
                    continue; // another move took this seq: re-read and retry
                return this.call(`record the move of alias ${alias}`, () => Promise.reject(e));
            }
            await this.moveAliasRef(name, alias, version);
            return move;
        }
    }
    /** `refs/tags/<name>/<alias>` follows the alias (to the version's commit), for `git checkout churn/production`. */
    async moveAliasRef(name, alias, version) {
        try {
            const { data: v } = await this.octokit.rest.git.getRef({
                ...this.repo,
                ref: `tags/${name}/v${version}`,
            });
            const sha = v.object.sha;
            const ref = `tags/${name}/${alias}`;
            try {
                await this.octokit.rest.git.updateRef({ ...this.repo, ref, sha, force: true });
            }
            catch (e) {
                if (github_status(e) !== 422)
                    throw e;
                await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/${ref}`, sha });
            }
        }
        catch (e) {
            this.log.warning(`Alias ${alias} moved, but the tag ${name}/${alias} could not follow: ${e.message}`);
        }
    }
    async download(name, ref, dir) {
        const v = await this.get(name, ref);
        const r = (await this.releaseByTag(`${name}/v${v.version}`));
        for (const [i, f] of v.files.entries()) {
            const a = r.assets.find((x) => x.name === assetName(i, f.path));
            if (!a)
                throw new registry/* RegistryError */.gl(`Release ${name}/v${v.version} lacks the asset of '${f.path}'`);
            const to = external_node_path_default().join(dir, (0,registry/* safeRelative */.iC)(f.path));
            await (0,promises_.mkdir)(external_node_path_default().dirname(to), { recursive: true });
            await (0,promises_.writeFile)(to, await this.asset(a.id, f.path));
        }
        await (0,registry/* verifyFiles */.xJ)(dir, v.files);
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
