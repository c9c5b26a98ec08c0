export const id = 597;
export const ids = [597];
export const modules = {

/***/ 6597:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitHubForge: () => (/* binding */ GitHubForge),
/* harmony export */   githubCall: () => (/* binding */ githubCall)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2635);

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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .PermissionError */ .i_(`GitHub rejected the token while trying to ${what} (401: ${said}). Check the 'github-token' input.`, permission, { cause: e });
        }
        if (e.status === 403 && e.response?.headers?.['x-ratelimit-remaining'] !== '0') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .PermissionError */ .i_(`GitHub refused to ${what} (403: ${said}). The token needs '${permission}': add it to the job's 'permissions:' block (or pass a token that has it).`, permission, { cause: e });
        }
        if (e.status === 404)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .NotFoundError */ .m_(`GitHub could not ${what}: not found (404: ${said}).`, { cause: e });
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .MlopsError */ .IC(`GitHub failed to ${what} (${e.status}: ${said}).`, { cause: e });
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
            if (e instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .NotFoundError */ .m_)
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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .MlopsError */ .IC(`GitHub did not create the deployment: ${data.message ?? 'no reason given'}`);
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


/***/ })

};
