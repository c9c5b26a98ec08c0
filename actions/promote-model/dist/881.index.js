export const id = 881;
export const ids = [881];
export const modules = {

/***/ 4881:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createOctokit: () => (/* binding */ createOctokit)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6856);



/**
 * The one Octokit factory: base URL from `GITHUB_API_URL` (GHES and the test stand-in work unchanged),
 * retries for 5xx and network faults only (4xx are the caller's problem; 429 belongs to throttling), and
 * GitHub's best practice of spacing writes, with at most two retries after a rate limit.
 */
function createOctokit(token, log) {
    return (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, {
        retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
        throttle: {
            onRateLimit: (after, opts, _o, count) => {
                log.warning(`GitHub rate limit hit on ${opts.method} ${opts.url}; retrying in ${after}s (try ${count + 1} of 3)`);
                return count < 2;
            },
            onSecondaryRateLimit: (after, opts, _o, count) => {
                log.warning(`GitHub secondary rate limit on ${opts.method} ${opts.url}; retrying in ${after}s (try ${count + 1} of 3)`);
                return count < 2;
            },
        },
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__/* .throttling */ .A);
}


/***/ })

};
