export const id = 107;
export const ids = [107];
export const modules = {

/***/ 59107:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   LocalForge: () => (/* binding */ LocalForge)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(32635);
/* harmony import */ var _util_fs_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74560);



const empty = () => ({
    nextId: 1,
    comments: [],
    issues: [],
    releases: [],
    deployments: [],
    dispatches: [],
});
/**
 * The forge for local runs and other CI systems: everything that would go to GitHub is written under
 * `.mlops/outbox/` — `state.json` for the machine, and one Markdown file per comment or issue for people
 * (`comments/<thread>/<id>.md`, `issues/<n>.md`). Thread 0 stands for "no pull request".
 */
class LocalForge {
    dir;
    description;
    stateFile;
    constructor(dir = '.mlops/outbox') {
        this.dir = dir;
        this.description = dir;
        this.stateFile = node_path__WEBPACK_IMPORTED_MODULE_0___default().join(dir, 'state.json');
    }
    load() {
        return (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .readJsonOr */ .G)(this.stateFile, empty());
    }
    async save(s) {
        await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(this.stateFile, `${JSON.stringify(s, null, 2)}\n`);
    }
    /** The file a comment is written to, for people to open. */
    commentPath(issueNumber, id) {
        return node_path__WEBPACK_IMPORTED_MODULE_0___default().join(this.dir, 'comments', issueNumber ? `pr-${issueNumber}` : 'local', `${id}.md`);
    }
    async *comments(issueNumber) {
        for (const c of (await this.load()).comments)
            if (c.issueNumber === issueNumber)
                yield c;
    }
    async createComment(issueNumber, body) {
        const s = await this.load();
        const now = new Date().toISOString();
        const id = s.nextId++;
        const url = this.commentPath(issueNumber, id);
        s.comments.push({ id, body, url, issueNumber, createdAt: now, updatedAt: now });
        await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(url, body);
        await this.save(s);
        return { id, body, url };
    }
    async updateComment(commentId, body) {
        const s = await this.load();
        const c = s.comments.find((x) => x.id === commentId);
        if (!c)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NotFoundError */ .m_(`comment ${commentId} is not in ${this.stateFile}`);
        Object.assign(c, { body, updatedAt: new Date().toISOString() });
        await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(c.url, body);
        await this.save(s);
        return { id: c.id, body, url: c.url };
    }
    async *issues(query) {
        const state = query.state ?? 'open';
        for (const i of (await this.load()).issues) {
            if (state !== 'all' && i.state !== state)
                continue;
            if (query.labels?.some((l) => !i.labels.includes(l)))
                continue;
            yield i;
        }
    }
    async writeIssue(i) {
        await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(node_path__WEBPACK_IMPORTED_MODULE_0___default().join(this.dir, 'issues', `${i.number}.md`), `# ${i.title}\n\nstate: ${i.state} · labels: ${i.labels.join(', ')}\n\n${i.body}\n`);
    }
    async createIssue(issue) {
        const s = await this.load();
        const now = new Date().toISOString();
        const number = s.nextId++;
        const created = {
            number,
            title: issue.title,
            body: issue.body,
            state: 'open',
            labels: [...(issue.labels ?? [])],
            url: node_path__WEBPACK_IMPORTED_MODULE_0___default().join(this.dir, 'issues', `${number}.md`),
            createdAt: now,
            updatedAt: now,
        };
        s.issues.push(created);
        await this.writeIssue(created);
        await this.save(s);
        return created;
    }
    async updateIssue(issueNumber, patch) {
        const s = await this.load();
        const i = s.issues.find((x) => x.number === issueNumber);
        if (!i)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NotFoundError */ .m_(`issue #${issueNumber} is not in ${this.stateFile}`);
        Object.assign(i, {
            ...patch,
            ...(patch.labels ? { labels: [...patch.labels] } : {}),
            updatedAt: new Date().toISOString(),
        });
        await this.writeIssue(i);
        await this.save(s);
        return i;
    }
    async createRelease(r) {
        const s = await this.load();
        const release = { id: s.nextId++, tag: r.tag, name: r.name, body: r.body, assets: [] };
        s.releases.push(release);
        await this.save(s);
        return release;
    }
    async releaseByTag(tag) {
        return (await this.load()).releases.find((r) => r.tag === tag);
    }
    async uploadReleaseAsset(releaseId, name, data) {
        const s = await this.load();
        const r = s.releases.find((x) => x.id === releaseId);
        if (!r)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NotFoundError */ .m_(`release ${releaseId} is not in ${this.stateFile}`);
        await (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(node_path__WEBPACK_IMPORTED_MODULE_0___default().join(this.dir, 'releases', r.tag, name), data);
        r.assets.push(name);
        await this.save(s);
    }
    async createDeployment(d) {
        const s = await this.load();
        const id = s.nextId++;
        s.deployments.push({ id, ...d, statuses: [] });
        await this.save(s);
        return { id };
    }
    async setDeploymentStatus(deploymentId, status) {
        const s = await this.load();
        const d = s.deployments.find((x) => x.id === deploymentId);
        if (!d)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NotFoundError */ .m_(`deployment ${deploymentId} is not in ${this.stateFile}`);
        d.statuses.push({ ...status, at: new Date().toISOString() });
        await this.save(s);
    }
    async dispatchWorkflow(workflow, ref, inputs) {
        const s = await this.load();
        s.dispatches.push({ workflow, ref, inputs, at: new Date().toISOString() });
        await this.save(s);
    }
}


/***/ })

};
