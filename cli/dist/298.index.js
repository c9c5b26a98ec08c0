export const id = 298;
export const ids = [298];
export const modules = {

/***/ 2298:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KubernetesProvider: () => (/* binding */ KubernetesProvider)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(32635);
/* harmony import */ var _kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(72633);
/* harmony import */ var _provider_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48839);



const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The API error's status code and message, from @kubernetes/client-node 1.x's ApiException. */
function apiError(e) {
    const x = e;
    let body = x.body;
    if (typeof body === 'string') {
        try {
            body = JSON.parse(body);
        }
        catch {
            /* keep the text */
        }
    }
    const msg = body?.message ?? (typeof body === 'string' ? body : (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(e));
    return { code: x.code, message: msg.split('\n')[0] ?? msg };
}
/**
 * The `kubernetes` provider: a canary Deployment and Service next to the user's stable ones, and traffic by
 * Gateway API HTTPRoute weights or NGINX Ingress canary annotations. Every object is validated with
 * kubernetes-models, then sent with server-side apply (field manager `mlops-deploy-canary`, forced).
 * `@kubernetes/client-node` and kubernetes-models are imported only when this provider is used.
 */
class KubernetesProvider {
    o;
    log;
    name = 'kubernetes';
    api;
    stable;
    constructor(o, log) {
        this.o = o;
        this.log = log;
    }
    async client() {
        if (this.api)
            return this.api;
        const k8s = await Promise.all(/* import() */[__webpack_require__.e(824), __webpack_require__.e(959)]).then(__webpack_require__.bind(__webpack_require__, 6959));
        const kc = new k8s.KubeConfig();
        try {
            if (this.o.kubeconfig)
                kc.loadFromFile(this.o.kubeconfig);
            else
                kc.loadFromDefault();
        }
        catch (e) {
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: cannot load the kubeconfig: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(e)}`);
        }
        if (!kc.getCurrentCluster())
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m("kubernetes: no cluster in the kubeconfig; set 'kubeconfig' or KUBECONFIG (e.g. after azure/aks-set-context or aws eks update-kubeconfig)");
        this.api = k8s.KubernetesObjectApi.makeApiClient(kc);
        return this.api;
    }
    async read(apiVersion, kind, name) {
        const api = await this.client();
        try {
            return (await api.read({
                apiVersion,
                kind,
                metadata: { name, namespace: this.o.namespace },
            }));
        }
        catch (e) {
            const err = apiError(e);
            if (err.code === 404)
                return undefined;
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: reading ${kind} ${this.o.namespace}/${name} failed (${err.code ?? 'no answer'}): ${err.message}`);
        }
    }
    async apply(obj) {
        await (0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .validateObject */ .Q5)(obj);
        const api = await this.client();
        try {
            const k8s = await Promise.all(/* import() */[__webpack_require__.e(824), __webpack_require__.e(959)]).then(__webpack_require__.bind(__webpack_require__, 6959));
            await api.patch(obj, undefined, undefined, _kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .MANAGER */ .u, true, k8s.PatchStrategy.ServerSideApply);
        }
        catch (e) {
            const err = apiError(e);
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: applying ${obj.kind} ${this.o.namespace}/${obj.metadata.name} failed (${err.code ?? 'no answer'}): ${err.message}`);
        }
    }
    async stableDeployment() {
        if (this.stable)
            return this.stable;
        const d = await this.read('apps/v1', 'Deployment', this.o.name);
        if (!d)
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: the stable Deployment ${this.o.namespace}/${this.o.name} does not exist`);
        this.stable = d;
        return d;
    }
    async route(weight) {
        if (this.o.routing === 'gateway-api') {
            await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .httpRoute */ .id)(this.o, weight));
            return;
        }
        const ingressName = this.o.ingress ?? this.o.name;
        const stable = await this.read('networking.k8s.io/v1', 'Ingress', ingressName);
        if (!stable)
            throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: the stable Ingress ${this.o.namespace}/${ingressName} does not exist`);
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryIngress */ .oz)(stable, this.o, weight));
    }
    async prepare() {
        const stable = await this.stableDeployment();
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryService */ .YH)(this.o));
        await this.route(0);
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryDeployment */ .Yw)(stable, this.o, this.o.canaryReplicas));
        await this.waitReady((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryName */ .mh)(this.o), 'the canary');
        this.log.info(`kubernetes: canary ${this.o.namespace}/${(0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryName */ .mh)(this.o)} is ready (${this.o.image})`);
    }
    async setWeight(canaryWeight) {
        await this.route((0,_provider_js__WEBPACK_IMPORTED_MODULE_1__/* .checkWeight */ .n)(canaryWeight));
        this.log.info(`kubernetes: ${this.o.routing} sends ${canaryWeight} % to the canary`);
    }
    /** Flagger's order: all traffic to the canary, roll the stable Deployment to the canary's image, wait, route back to stable, scale the canary to 0. */
    async promote() {
        const stable = await this.stableDeployment();
        await this.route(100);
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .promotedStable */ .sm)(stable, this.o));
        await this.waitReady(this.o.name, 'the stable Deployment with the new image');
        await this.route(0);
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryDeployment */ .Yw)(stable, this.o, 0));
        this.log.info(`kubernetes: ${this.o.namespace}/${this.o.name} now runs ${this.o.image}; canary scaled to 0`);
    }
    async rollback() {
        await this.route(0);
        const stable = await this.stableDeployment();
        await this.apply((0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryDeployment */ .Yw)(stable, this.o, 0));
        this.log.info('kubernetes: all traffic on stable; canary scaled to 0');
    }
    async state() {
        if (this.o.routing === 'gateway-api') {
            const r = await this.read('gateway.networking.k8s.io/v1', 'HTTPRoute', this.o.route ?? this.o.name);
            const refs = r?.spec
                ?.rules?.[0]?.backendRefs ?? [];
            const canary = refs.find((b) => b.name === (0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryName */ .mh)(this.o))?.weight ?? 0;
            const total = refs.reduce((s, b) => s + (b.weight ?? 1), 0) || 100;
            const w = Math.round((canary / total) * 100);
            return { canaryWeight: w, phase: w > 0 ? 'progressing' : 'stable' };
        }
        const ing = await this.read('networking.k8s.io/v1', 'Ingress', (0,_kubernetes_manifests_js__WEBPACK_IMPORTED_MODULE_2__/* .canaryName */ .mh)(this.o));
        const w = Number(ing?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ?? 0);
        return { canaryWeight: w, phase: w > 0 ? 'progressing' : 'stable' };
    }
    /** Waits until a Deployment has all its replicas updated and available. */
    async waitReady(name, what) {
        const deadline = Date.now() + this.o.rolloutTimeoutMs;
        for (;;) {
            const d = await this.read('apps/v1', 'Deployment', name);
            const spec = (d?.spec ?? {});
            const st = (d?.status ?? {});
            const want = spec.replicas ?? 1;
            const gen = d?.metadata?.generation;
            if (d &&
                (gen === undefined || (st.observedGeneration ?? 0) >= gen) &&
                (st.updatedReplicas ?? 0) >= want &&
                (st.availableReplicas ?? 0) >= want)
                return;
            if (Date.now() > deadline)
                throw new _provider_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .m(`kubernetes: ${what} (${this.o.namespace}/${name}) did not become ready within ${Math.round(this.o.rolloutTimeoutMs / 1000)} s (${st.availableReplicas ?? 0}/${want} available)`);
            await sleep(1000);
        }
    }
}


/***/ })

};
