export const id = 529;
export const ids = [529];
export const modules = {

/***/ 71529:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runWorkflow: () => (/* binding */ runWorkflow)
});

// UNUSED EXPORTS: WorkflowError

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./node_modules/@actions/workflow-parser/dist/index.js + 68 modules
var dist = __webpack_require__(34723);
// EXTERNAL MODULE: ./node_modules/tinyglobby/dist/index.mjs + 2 modules
var tinyglobby_dist = __webpack_require__(60925);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var yaml_dist = __webpack_require__(38815);
// EXTERNAL MODULE: ./shared/errors.ts
var shared_errors = __webpack_require__(32635);
// EXTERNAL MODULE: ./shared/workflow/event.ts
var workflow_event = __webpack_require__(34274);
// EXTERNAL MODULE: ./node_modules/@actions/expressions/dist/index.js + 15 modules
var expressions_dist = __webpack_require__(1281);
// EXTERNAL MODULE: ./node_modules/@actions/expressions/dist/lexer.js
var lexer = __webpack_require__(12083);
// EXTERNAL MODULE: ./node_modules/@actions/expressions/dist/result.js
var result = __webpack_require__(96856);
;// CONCATENATED MODULE: ./shared/workflow/expressions.ts





const CONTEXT_NAMES = [
    'github',
    'env',
    'inputs',
    'secrets',
    'steps',
    'needs',
    'job',
    'jobs',
    'runner',
    'vars',
    'matrix',
    'strategy',
];
/** Plain value → expression data. */
function toData(v) {
    if (v === null || v === undefined)
        return new expressions_dist/* data.Null */.p.Uv();
    if (typeof v === 'string')
        return new expressions_dist/* data.StringData */.p.uQ(v);
    if (typeof v === 'number')
        return new expressions_dist/* data.NumberData */.p.Q9(v);
    if (typeof v === 'boolean')
        return new expressions_dist/* data.BooleanData */.p.bo(v);
    if (Array.isArray(v))
        return new expressions_dist/* data.Array */.p.O3(...v.map(toData));
    if (v instanceof expressions_dist/* data.Dictionary */.p.bT || v instanceof expressions_dist/* data.Array */.p.O3)
        return v;
    const d = new expressions_dist/* data.Dictionary */.p.bT();
    for (const [k, x] of Object.entries(v))
        d.add(k, toData(x));
    return d;
}
/** Expression data → plain value. */
function fromData(d) {
    switch (d.kind) {
        case expressions_dist/* data.Kind */.p.b8.Null:
            return null;
        case expressions_dist/* data.Kind */.p.b8.String:
        case expressions_dist/* data.Kind */.p.b8.Number:
        case expressions_dist/* data.Kind */.p.b8.Boolean:
            return d.value;
        case expressions_dist/* data.Kind */.p.b8.Array:
            return d.values().map(fromData);
        default:
            return Object.fromEntries(d.pairs().map((p) => [p.key, fromData(p.value)]));
    }
}
/** How GitHub turns an expression result into text: null → '', objects → JSON. */
function toText(v) {
    if (v === null || v === undefined)
        return '';
    if (typeof v === 'string')
        return v;
    if (typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    return JSON.stringify(v, null, 2);
}
function isTruthy(v) {
    return (0,result/* truthy */.vN)(toData(v));
}
function statusFunctions(opts) {
    const status = opts.status ?? 'success';
    const fn = (name, call, maxArgs = 0) => [
        name.toLowerCase(),
        { name, minArgs: 0, maxArgs, call },
    ];
    return new Map([
        fn('success', () => new expressions_dist/* data.BooleanData */.p.bo(status === 'success')),
        fn('failure', () => new expressions_dist/* data.BooleanData */.p.bo(status === 'failure')),
        fn('cancelled', () => new expressions_dist/* data.BooleanData */.p.bo(status === 'cancelled')),
        fn('always', () => new expressions_dist/* data.BooleanData */.p.bo(true)),
        fn('hashFiles', (...args) => {
            if (!opts.hashFiles)
                throw new Error('hashFiles() is not available here');
            return new expressions_dist/* data.StringData */.p.uQ(opts.hashFiles(args.map((a) => a.coerceString())));
        }, 255),
    ]);
}
/** An expression that does not parse or evaluate; the caller adds the file, line, job and step. */
class ExpressionFailure extends Error {
}
function parse(expression, functions) {
    try {
        const { tokens } = new expressions_dist/* Lexer */.JG(expression).lex();
        // @actions/expressions 0.3 unescapes only the first '' of a string literal; unescape them all.
        for (const t of tokens)
            if (t.type === lexer/* TokenType */.ks.STRING)
                t.value = t.lexeme.slice(1, -1).replaceAll("''", "'");
        return new expressions_dist/* Parser */.iX(tokens, CONTEXT_NAMES, [...functions.values()]).parse();
    }
    catch (e) {
        throw new ExpressionFailure(`invalid expression '${expression}': ${e.message}`);
    }
}
/** Evaluates one expression (the text inside `${{ }}`) against the contexts. */
function evaluate(expression, contexts, opts = {}) {
    const functions = statusFunctions(opts);
    const tree = parse(expression, functions);
    const dict = new expressions_dist/* data.Dictionary */.p.bT();
    for (const name of CONTEXT_NAMES)
        dict.add(name, toData(contexts[name] ?? {}));
    try {
        return fromData(new expressions_dist/* Evaluator */.oi(tree, dict, functions).evaluate());
    }
    catch (e) {
        throw new ExpressionFailure(`cannot evaluate '${expression}': ${e.message}`);
    }
}
/** Replaces every `${{ expr }}` in a plain string (e.g. an action.yml default) with its text value. */
function interpolate(text, contexts, opts = {}) {
    return text.replace(/\$\{\{(.*?)\}\}/gs, (_m, expr) => toText(evaluate(expr.trim(), contexts, opts)));
}
/** Evaluates a parsed template token (scalars, `${{ }}` expressions, mappings, sequences) to a plain value. */
function evaluateToken(token, contexts, opts = {}) {
    if ((0,dist/* isBasicExpression */.hR)(token)) {
        const text = multiLineText(token);
        return text === undefined ? evaluate(token.expression, contexts, opts) : interpolate(text, contexts, opts);
    }
    if ((0,dist/* isString */.Kg)(token))
        return token.value;
    if ((0,dist/* isNumber */.Et)(token))
        return token.value;
    if ((0,dist/* isBoolean */.Lm)(token))
        return token.value;
    if ((0,dist/* isSequence */.wZ)(token))
        return [...token].map((t) => evaluateToken(t, contexts, opts));
    if ((0,dist/* isMapping */.pi)(token)) {
        const out = {};
        for (const { key, value } of token)
            out[toText(evaluateToken(key, contexts, opts))] = evaluateToken(value, contexts, opts);
        return out;
    }
    if (token.isExpression)
        throw new ExpressionFailure(`unsupported expression '${token.toString()}'`);
    return null;
}
/**
 * The text of a multi-line string holding `${{ }}` (a `run: |` block). The parser builds its `format()` from
 * the raw YAML source, indentation and all; GitHub substitutes into the YAML value, so read the value again.
 */
function multiLineText(token) {
    const r = token.range;
    if (!r ||
        r.start.line === r.end.line ||
        token.source === undefined ||
        !token.expression.startsWith('format('))
        return undefined;
    const header = token.blockScalarHeader;
    const doc = header ? `x: ${header}\n${token.source}` : `x: ${token.source}`;
    try {
        const v = (0,yaml_dist/* parse */.qg)(doc)?.x;
        return typeof v === 'string' ? v : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./shared/workflow/file-commands.ts
/** The runner's file commands and workflow commands, as an action writes them (`GITHUB_OUTPUT`, `::error::`). */
/** Reads the `name<<DELIM\nvalue\nDELIM` and `name=value` file-command format (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`). */
function parseFileCommand(text) {
    const out = {};
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
        if (heredoc) {
            const [, name, delim] = heredoc;
            const value = [];
            for (i++; i < lines.length && lines[i] !== delim; i++)
                value.push(lines[i]);
            out[name] = value.join('\n');
        }
        else if (line.includes('=')) {
            out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
        }
    }
    return out;
}
/** `GITHUB_PATH`: one directory a line. */
function parsePathFile(text) {
    return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
}
const unescapeData = (s) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
/** One `::command k=v,k=v::message` line on stdout, or undefined for a plain line. */
function parseWorkflowCommand(line) {
    const m = /^::([a-zA-Z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m)
        return undefined;
    const properties = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
        const eq = kv.indexOf('=');
        properties[kv.slice(0, eq)] = unescapeProp(kv.slice(eq + 1));
    }
    return { command: m[1], properties, message: unescapeData(m[3]) };
}
/** Workflow commands on stdout: `::error file=a,line=1::message`. */
function parseAnnotations(stdout) {
    const out = [];
    for (const line of stdout.split(/\r?\n/)) {
        const c = parseWorkflowCommand(line);
        if (c && (c.command === 'error' || c.command === 'warning' || c.command === 'notice'))
            out.push({ level: c.command, message: c.message, properties: c.properties });
    }
    return out;
}

// EXTERNAL MODULE: ./shared/config/load.ts
var load = __webpack_require__(45481);
;// CONCATENATED MODULE: ./shared/workflow/load.ts





/**
 * Parses and validates a workflow file with `@actions/workflow-parser` (GitHub's own parser). Every problem
 * becomes one `ConfigError` naming the file, line and column; more than one are listed after the first.
 */
async function loadWorkflow(file, base) {
    let content;
    try {
        content = await (0,promises_.readFile)(file, 'utf8');
    }
    catch {
        throw new shared_errors/* NotFoundError */.m_(`${shownPath(file, base)}: workflow file not found`);
    }
    const shown = shownPath(file, base);
    const result = (0,dist/* parseWorkflow */.hM)({ name: shown, content }, new dist/* NoOperationTraceWriter */.P0());
    const fail = (errors) => {
        const [first, ...rest] = errors;
        const more = rest.map((e) => `\n  ${e.message}`).join('');
        return new shared_errors/* ConfigError */.xL({ file: shown, line: first?.range?.start.line, column: first?.range?.start.column }, '', `${first?.rawMessage ?? first?.message ?? 'invalid workflow'}${more}`);
    };
    if (result.context.errors.getErrors().length > 0 || !result.value)
        throw fail(result.context.errors.getErrors());
    const template = await (0,dist/* convertWorkflowTemplate */.DE)(result.context, result.value);
    if (result.context.errors.getErrors().length > 0)
        throw fail(result.context.errors.getErrors());
    if (!(0,dist/* isMapping */.pi)(result.value))
        throw new shared_errors/* ConfigError */.xL({ file: shown }, '', 'a workflow must be a mapping');
    return { file, template, root: result.value };
}
/** `mapping.key.key...` in the raw tokens, or undefined. */
function findToken(token, ...keys) {
    let t = token;
    for (const k of keys) {
        if (!t || !(0,dist/* isMapping */.pi)(t))
            return undefined;
        t = t.find(k);
    }
    return t;
}
/** `file:line:col` of a token, for messages. */
function locationOf(file, token, base) {
    const r = token?.range;
    return r ? `${shownPath(file, base)}:${r.start.line}:${r.start.column}` : shownPath(file, base);
}
/** A path as messages show it: relative to the run's workspace when inside it. */
function shownPath(file, base) {
    if (!base)
        return (0,load/* displayPath */.Gt)(file);
    const rel = external_node_path_default().relative(base, file);
    return rel && !rel.startsWith('..') && !external_node_path_default().isAbsolute(rel) ? rel : file;
}

// EXTERNAL MODULE: ./shared/artifacts/artifacts.ts
var artifacts = __webpack_require__(8885);
;// CONCATENATED MODULE: ./shared/workflow/local-artifacts.ts





/**
 * `actions/upload-artifact` and `actions/download-artifact` for a local run: artifacts are folders under
 * `.mlops/artifacts/<name>/`, where the suite's actions keep theirs when no artifact service is reachable.
 * Returns the step's exit code and outputs.
 */
async function localArtifactStep(kind, withValues, workspace, log) {
    const root = external_node_path_default().join(workspace, '.mlops', 'artifacts');
    if (kind === 'upload') {
        const name = withValues.name || 'artifact';
        const patterns = (withValues.path ?? '')
            .split('\n')
            .map((p) => p.trim())
            .filter((p) => p && !p.startsWith('!'));
        const files = [];
        for (const p of patterns) {
            const abs = external_node_path_default().resolve(workspace, p);
            if ((0,external_node_fs_.existsSync)(abs) && (await (0,promises_.stat)(abs)).isDirectory())
                files.push(...(await (0,tinyglobby_dist/* glob */.TI)('**/*', { cwd: abs, absolute: true, onlyFiles: true, dot: true })));
            else if ((0,external_node_fs_.existsSync)(abs))
                files.push(abs);
            else
                files.push(...(await (0,tinyglobby_dist/* glob */.TI)(p, { cwd: workspace, absolute: true, onlyFiles: true, dot: true })));
        }
        if (files.length === 0) {
            const how = withValues['if-no-files-found'] || 'warn';
            const msg = `No files were found with the provided path: ${patterns.join(', ')}. No artifact will be uploaded.`;
            if (how === 'error') {
                log.error(msg);
                return { exitCode: 1, outputs: {} };
            }
            if (how === 'warn')
                log.warning(msg);
            return { exitCode: 0, outputs: {} };
        }
        // Paths inside the artifact are relative to the files' least common ancestor, as upload-artifact does.
        const dirs = files.map((f) => external_node_path_default().dirname(f));
        let base = dirs[0];
        for (const d of dirs)
            while (d !== base && !d.startsWith(`${base}${(external_node_path_default()).sep}`))
                base = external_node_path_default().dirname(base);
        for (const p of patterns) {
            const abs = external_node_path_default().resolve(workspace, p);
            if ((0,external_node_fs_.existsSync)(abs) &&
                (await (0,promises_.stat)(abs)).isDirectory() &&
                (abs === base || base.startsWith(`${abs}${(external_node_path_default()).sep}`)))
                base = abs;
        }
        const target = external_node_path_default().join(root, name);
        await (0,promises_.rm)(target, { recursive: true, force: true });
        for (const f of files) {
            const to = external_node_path_default().join(target, external_node_path_default().relative(base, f));
            await (0,promises_.mkdir)(external_node_path_default().dirname(to), { recursive: true });
            await (0,promises_.cp)(f, to);
        }
        log.info(`Artifact '${name}': ${files.length} file(s) → ${external_node_path_default().relative(workspace, target)}/`);
        return {
            exitCode: 0,
            outputs: { 'artifact-id': String(Date.now()), 'artifact-url': '', 'artifact-digest': '' },
        };
    }
    const dest = external_node_path_default().resolve(workspace, withValues.path || '.');
    const names = (0,external_node_fs_.existsSync)(root)
        ? (await (0,promises_.readdir)(root, { withFileTypes: true })).filter((d) => d.isDirectory())
        : [];
    if (withValues.name) {
        if (!names.some((d) => d.name === withValues.name)) {
            log.error(`Artifact '${withValues.name}' not found under ${external_node_path_default().relative(workspace, root) || root}/`);
            return { exitCode: 1, outputs: {} };
        }
        await (0,promises_.cp)(external_node_path_default().join(root, withValues.name), dest, { recursive: true });
        log.info(`Artifact '${withValues.name}' → ${external_node_path_default().relative(workspace, dest) || '.'}`);
        return { exitCode: 0, outputs: { 'download-path': dest } };
    }
    const match = (0,artifacts/* nameMatcher */.MH)(withValues.pattern || '*');
    const merge = withValues['merge-multiple'] === 'true';
    const chosen = names.filter((d) => match(d.name));
    for (const d of chosen)
        await (0,promises_.cp)(external_node_path_default().join(root, d.name), merge ? dest : external_node_path_default().join(dest, d.name), { recursive: true });
    log.info(`Artifacts ${chosen.map((d) => d.name).join(', ') || '(none)'} → ${external_node_path_default().relative(workspace, dest) || '.'}`);
    return { exitCode: 0, outputs: { 'download-path': dest } };
}

;// CONCATENATED MODULE: ./shared/workflow/process.ts


/**
 * Runs a step's process, streaming its output to the logger line by line. Workflow commands on stdout
 * (`::error::`, `::warning::`, `::notice::`, `::debug::`, `::group::`) become logger calls, and every
 * secret value is masked as `***`, as the runner does.
 */
async function runChild(command, args, opts) {
    const masks = opts.masks.filter((m) => m.length >= 3);
    const mask = (s) => masks.reduce((t, m) => t.split(m).join('***'), s);
    let stdout = '';
    const emit = (line) => {
        const c = parseWorkflowCommand(line);
        if (!c)
            return opts.log.info(mask(line));
        const where = c.properties.file
            ? { file: c.properties.file, line: Number(c.properties.line) || undefined }
            : undefined;
        const msg = mask(c.message);
        switch (c.command) {
            case 'error':
                return opts.log.error(msg, where);
            case 'warning':
                return opts.log.warning(msg, where);
            case 'notice':
                return opts.log.notice(msg, where);
            case 'debug':
                return opts.log.debug(msg);
            case 'group':
                return opts.log.info(`▸ ${msg}`);
            case 'add-mask':
                if (c.message.length >= 3)
                    masks.push(c.message);
                return;
            default:
                return; // endgroup, add-matcher, echo, ...: nothing to show locally
        }
    };
    // With a timeout, the step gets its own process group so that everything it started is stopped with it.
    const detached = opts.timeoutMs !== undefined;
    const child = (0,external_node_child_process_.spawn)(command, args, {
        cwd: opts.cwd,
        env: opts.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached,
    });
    const lines = (onLine) => {
        let rest = '';
        return {
            push(chunk) {
                rest += chunk.toString('utf8');
                const parts = rest.split(/\r?\n/);
                rest = parts.pop() ?? '';
                for (const p of parts)
                    onLine(p);
            },
            end() {
                if (rest)
                    onLine(rest);
                rest = '';
            },
        };
    };
    const out = lines((l) => {
        stdout += `${l}\n`;
        emit(l);
    });
    const err = lines((l) => opts.log.info(mask(l)));
    const timer = opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            opts.log.error(`timed out after ${Number((opts.timeoutMs / 60_000).toFixed(2))} minutes (timeout-minutes)`);
            try {
                if (child.pid)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                child.kill('SIGKILL');
            }
        }, opts.timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const exitCode = await new Promise((resolve) => {
        child.on('error', (e) => {
            opts.log.error(`cannot start '${command}': ${e.message}`);
            resolve(127);
        });
        child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    clearTimeout(timer);
    out.end();
    err.end();
    return { exitCode, stdout };
}

;// CONCATENATED MODULE: ./shared/workflow/uses.ts


const SUITE_ACTION = /^[^/\s]+\/mlops-actions\/actions\/([a-z0-9][a-z0-9-]*)@\S+$/i;
const SUITE_WORKFLOW = /^[^/\s]+\/mlops-actions\/(\.github\/workflows\/[^@\s]+\.ya?ml)@\S+$/i;
const ARTIFACT = /^actions\/(upload|download)-artifact@\S+$/i;
const NOOP = /^actions\/(checkout|setup-[a-z0-9-]+)@\S+$/i;
/**
 * Maps a step's `uses:` to what runs locally. This suite's actions, at any owner and ref, are the local
 * checkout's bundles; `./path` is the workspace's (falling back to the suite's checkout); `actions/checkout`
 * and `actions/setup-*` are no-ops; anything else is not supported locally.
 */
function resolveStepUses(uses, where) {
    const suite = SUITE_ACTION.exec(uses);
    if (suite)
        return { kind: 'action', dir: external_node_path_default().join(where.suiteRoot, 'actions', suite[1]), name: uses };
    if (NOOP.test(uses))
        return { kind: 'noop', name: uses };
    const artifact = ARTIFACT.exec(uses);
    if (artifact)
        return { kind: 'artifact', op: artifact[1].toLowerCase() };
    if (uses.startsWith('./')) {
        for (const base of [where.workspace, where.suiteRoot]) {
            const dir = external_node_path_default().resolve(base, uses);
            if ((0,external_node_fs_.existsSync)(external_node_path_default().join(dir, 'action.yml')) || (0,external_node_fs_.existsSync)(external_node_path_default().join(dir, 'action.yaml')))
                return { kind: 'action', dir, name: uses };
        }
        return {
            kind: 'unsupported',
            reason: `no action.yml found at '${uses}' (looked in the workspace and this checkout)`,
        };
    }
    if (uses.startsWith('docker://'))
        return { kind: 'unsupported', reason: 'container actions are not supported locally' };
    return {
        kind: 'unsupported',
        reason: `'${uses}' is not supported locally: only this suite's actions (OWNER/mlops-actions/actions/<name>@<ref> or ./actions/<name>), local node actions, actions/upload-artifact and download-artifact (to .mlops/artifacts/), and actions/checkout and actions/setup-* (skipped) run`,
    };
}
/** Maps a job's `uses:` (a reusable workflow) to a local file. */
function resolveWorkflowUses(uses, where) {
    const suite = SUITE_WORKFLOW.exec(uses);
    if (suite)
        return { kind: 'workflow', file: external_node_path_default().join(where.suiteRoot, suite[1]) };
    if (uses.startsWith('./')) {
        for (const base of [where.workspace, where.suiteRoot]) {
            const file = external_node_path_default().resolve(base, uses);
            if ((0,external_node_fs_.existsSync)(file))
                return { kind: 'workflow', file };
        }
        return {
            kind: 'unsupported',
            reason: `reusable workflow '${uses}' not found in the workspace or this checkout`,
        };
    }
    return {
        kind: 'unsupported',
        reason: `reusable workflow '${uses}' is not supported locally: only ./.github/workflows/<file> and OWNER/mlops-actions/.github/workflows/<file>@<ref> run`,
    };
}

;// CONCATENATED MODULE: ./shared/workflow/runner.ts
















/** A workflow that cannot run locally, or a mistake in it; the message names the file, line, job and step. */
class WorkflowError extends shared_errors/* MlopsError */.IC {
}
/** As GitHub runs them; no `shell:` anywhere means `bash -e` (no pipefail), `shell: bash` adds pipefail. */
const STEP_SHELLS = {
    '': ['bash', '-e', '{0}'],
    bash: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
    sh: ['sh', '-e', '{0}'],
    python: ['python3', '{0}'],
};
/** Runs a workflow of this suite locally, as GitHub's runner would, and returns what every job produced. */
async function runWorkflow(opts) {
    return new WorkflowRun(opts).run();
}
class WorkflowRun {
    opts;
    log;
    workspace;
    runId;
    runDir;
    summaryFile;
    eventPath;
    loaded = new Map();
    runnerEnv;
    github;
    vars;
    masks = [];
    stepCount = 0;
    /** `timeout-minutes` of the step running now, in milliseconds. */
    stepTimeoutMs;
    constructor(opts) {
        this.opts = opts;
        this.log = opts.log;
        this.workspace = external_node_path_default().resolve(opts.workspace ?? process.cwd());
        this.runId = opts.runId ?? String(Date.now());
        this.runDir = external_node_path_default().join(this.workspace, '.mlops', 'runs', this.runId);
        this.summaryFile = external_node_path_default().join(this.runDir, 'summary.md');
        this.eventPath = external_node_path_default().join(this.runDir, 'event.json');
        const base = opts.baseEnv ?? process.env;
        const user = opts.env ?? {};
        this.vars = { ...prefixed(base, 'MLOPS_VAR_'), ...opts.vars };
        const repository = user.GITHUB_REPOSITORY ?? `local/${external_node_path_default().basename(this.workspace)}`;
        const sha = user.GITHUB_SHA ?? gitSha(this.workspace);
        const actor = user.GITHUB_ACTOR ?? base.USER ?? 'local-user';
        const event = (0,workflow_event/* buildEvent */.V)(opts.event, {
            repository,
            sha,
            defaultBranch: 'main',
            pr: opts.pr ?? 1,
            inputs: opts.inputs ?? {},
            actor,
        });
        const token = user.GITHUB_TOKEN ?? opts.secrets?.GITHUB_TOKEN ?? base.MLOPS_SECRET_GITHUB_TOKEN ?? '';
        this.runnerEnv = {
            CI: 'true',
            GITHUB_ACTIONS: 'true',
            MLOPS_LOCAL_RUN: 'true',
            GITHUB_WORKSPACE: this.workspace,
            GITHUB_REPOSITORY: repository,
            GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_EVENT_NAME: opts.event,
            GITHUB_EVENT_PATH: this.eventPath,
            GITHUB_SHA: sha,
            GITHUB_REF: event.ref,
            GITHUB_REF_NAME: event.ref.replace(/^refs\/(heads|tags)\//, ''),
            GITHUB_HEAD_REF: event.headRef,
            GITHUB_BASE_REF: event.baseRef,
            GITHUB_RUN_ID: this.runId,
            GITHUB_RUN_NUMBER: '1',
            GITHUB_RUN_ATTEMPT: '1',
            GITHUB_ACTOR: actor,
            GITHUB_TRIGGERING_ACTOR: actor,
            GITHUB_WORKFLOW: '',
            RUNNER_OS: 'Linux',
            RUNNER_ARCH: 'X64',
            RUNNER_NAME: 'mlops-local',
            RUNNER_TEMP: external_node_path_default().join(this.runDir, 'tmp'),
            RUNNER_TOOL_CACHE: external_node_path_default().join(this.runDir, 'tool-cache'),
            ...user,
        };
        this.github = {
            event_name: opts.event,
            event: event.payload,
            event_path: this.eventPath,
            sha,
            ref: this.runnerEnv.GITHUB_REF,
            ref_name: this.runnerEnv.GITHUB_REF_NAME,
            head_ref: this.runnerEnv.GITHUB_HEAD_REF,
            base_ref: this.runnerEnv.GITHUB_BASE_REF,
            repository,
            repository_owner: this.runnerEnv.GITHUB_REPOSITORY_OWNER,
            run_id: this.runId,
            run_number: '1',
            run_attempt: '1',
            actor,
            triggering_actor: actor,
            workspace: this.workspace,
            server_url: this.runnerEnv.GITHUB_SERVER_URL,
            api_url: this.runnerEnv.GITHUB_API_URL ?? '',
            graphql_url: this.runnerEnv.GITHUB_GRAPHQL_URL ?? '',
            token,
            workflow: '',
            job: '',
            action: '',
            retention_days: '90',
        };
        if (token)
            this.masks.push(token);
    }
    show(file) {
        return shownPath(file, this.workspace);
    }
    async run() {
        const top = await this.load(external_node_path_default().resolve(this.workspace, this.opts.workflow), undefined);
        await this.preflight(top, new Set());
        await (0,promises_.mkdir)(external_node_path_default().join(this.runDir, 'tmp'), { recursive: true });
        await (0,promises_.writeFile)(this.eventPath, JSON.stringify(this.github.event, null, 2));
        await (0,promises_.writeFile)(this.summaryFile, '');
        const name = findToken(top.root, 'name');
        const workflowName = name && (0,dist/* isString */.Kg)(name) ? name.value : external_node_path_default().basename(top.file);
        this.github.workflow = workflowName;
        this.runnerEnv.GITHUB_WORKFLOW = workflowName;
        const events = Object.keys(top.template.events);
        if (!events.includes(this.opts.event) && !events.includes('workflow_call'))
            throw new WorkflowError(`${this.show(top.file)}: the workflow does not run on '${this.opts.event}' (on: ${events.join(', ')})`);
        const secrets = { ...prefixed(this.opts.baseEnv ?? process.env, 'MLOPS_SECRET_'), ...this.opts.secrets };
        if (this.github.token)
            secrets.GITHUB_TOKEN = String(this.github.token);
        for (const v of Object.values(secrets))
            if (v)
                this.masks.push(v);
        const given = { ...this.opts.inputs };
        // A workflow_call workflow run directly gets its inputs as if called; workflow_dispatch inputs only on that event.
        const inputEvents = this.opts.event === 'workflow_dispatch' ? ['workflow_dispatch', 'workflow_call'] : ['workflow_call'];
        const inputs = this.resolveInputs(top, inputEvents, given, '--input');
        if (!this.runnerEnv.GITHUB_API_URL)
            this.log.info('No GITHUB_API_URL given: nothing talks to GitHub. To use one (or a stand-in), pass --env GITHUB_API_URL=… --env GITHUB_TOKEN=… --env GITHUB_REPOSITORY=owner/repo');
        const result = await this.runJobs({ wf: top, inputs, secrets, prefix: '', depth: 0 });
        const outputsFile = external_node_path_default().join(this.runDir, 'outputs.json');
        await (0,promises_.writeFile)(outputsFile, `${JSON.stringify(result, null, 2)}\n`);
        return { ...result, runDir: this.runDir, summaryFile: this.summaryFile, outputsFile };
    }
    async load(file, from) {
        const hit = this.loaded.get(file);
        if (hit)
            return hit;
        if (from && !(0,external_node_fs_.existsSync)(file))
            throw new WorkflowError(`${from}: reusable workflow ${this.show(file)} not found`);
        const wf = await loadWorkflow(file, this.workspace);
        this.loaded.set(file, wf);
        return wf;
    }
    /** Fails before anything runs if a step or a called workflow cannot run locally. */
    async preflight(wf, seen) {
        if (seen.has(wf.file))
            throw new WorkflowError(`${this.show(wf.file)}: reusable workflows call each other in a cycle`);
        seen.add(wf.file);
        const where = { workspace: this.workspace, suiteRoot: this.opts.suiteRoot };
        for (const job of wf.template.jobs) {
            const raw = findToken(wf.root, 'jobs', job.id.value);
            if (job.type === 'reusableWorkflowJob') {
                const t = resolveWorkflowUses(job.ref.value, where);
                const at = `${locationOf(wf.file, findToken(raw, 'uses'), this.workspace)}: job '${job.id.value}'`;
                if (t.kind !== 'workflow')
                    throw new WorkflowError(`${at}: ${t.kind === 'unsupported' ? t.reason : ''}`);
                const called = await this.load(t.file, at);
                if (!('workflow_call' in called.template.events))
                    throw new WorkflowError(`${at}: ${this.show(called.file)} is not a reusable workflow (no 'on: workflow_call')`);
                this.checkWithKeys(called, findToken(raw, 'with'), at);
                await this.preflight(called, new Set(seen));
                continue;
            }
            for (const key of ['container', 'services'])
                if (job[key])
                    throw new WorkflowError(`${locationOf(wf.file, job[key], this.workspace)}: job '${job.id.value}': '${key}:' is not supported locally`);
            job.steps.forEach((step, i) => {
                if (!('uses' in step))
                    return;
                const t = resolveStepUses(step.uses.value, where);
                if (t.kind === 'unsupported')
                    throw new WorkflowError(`${this.stepWhere(wf, job.id.value, i, step, 'uses')}: ${t.reason}`);
                if (t.kind === 'action' &&
                    !(0,external_node_fs_.existsSync)(external_node_path_default().join(t.dir, 'action.yml')) &&
                    !(0,external_node_fs_.existsSync)(external_node_path_default().join(t.dir, 'action.yaml')))
                    throw new WorkflowError(`${this.stepWhere(wf, job.id.value, i, step, 'uses')}: ${this.show(t.dir)}/action.yml not found`);
            });
        }
    }
    /** `with:` keys of a reusable-workflow call must be declared inputs, and required inputs must be given. */
    checkWithKeys(called, withToken, at) {
        const defs = inputDefinitions(called, ['workflow_call']);
        const given = withToken && (0,dist/* isMapping */.pi)(withToken) ? [...withToken].map((p) => String(p.key)) : [];
        for (const k of given)
            if (!(k in defs))
                throw new WorkflowError(`${at}: input '${k}' is not declared in ${this.show(called.file)} (on.workflow_call.inputs: ${Object.keys(defs).join(', ') || 'none'})`);
        for (const [k, d] of Object.entries(defs))
            if (d.required && d.default === undefined && !given.includes(k))
                throw new WorkflowError(`${at}: required input '${k}' of ${this.show(called.file)} is not given`);
    }
    /** Inputs with defaults and types applied, from the `on.<event>.inputs` definitions. */
    resolveInputs(wf, events, given, from) {
        const defs = inputDefinitions(wf, events);
        const out = {};
        const shown = this.show(wf.file);
        for (const k of Object.keys(given))
            if (!(k in defs))
                throw new WorkflowError(`${from}: input '${k}' is not declared in ${shown} (on.${events.join('/')}.inputs: ${Object.keys(defs).join(', ') || 'none'})`);
        for (const [k, d] of Object.entries(defs)) {
            let v = given[k];
            if (v === undefined && d.default !== undefined)
                v = evaluateToken(d.default, { github: this.github, inputs: {}, vars: this.vars });
            if (v === undefined || v === '') {
                if (d.required && v === undefined)
                    throw new WorkflowError(`${from}: required input '${k}' of ${shown} is not given`);
                v = d.type === 'boolean' ? false : d.type === 'number' ? 0 : '';
            }
            if (d.type === 'boolean' && typeof v !== 'boolean') {
                if (v !== 'true' && v !== 'false')
                    throw new WorkflowError(`${from}: input '${k}' of ${shown} must be a boolean (true or false); got '${toText(v)}'`);
                v = v === 'true';
            }
            if (d.type === 'number' && typeof v !== 'number') {
                const n = Number(v);
                if (!Number.isFinite(n))
                    throw new WorkflowError(`${from}: input '${k}' of ${shown} must be a number; got '${toText(v)}'`);
                v = n;
            }
            if (d.type === 'choice' && d.options && !d.options.includes(toText(v)))
                throw new WorkflowError(`${from}: input '${k}' of ${shown} must be one of ${d.options.join(', ')}; got '${toText(v)}'`);
            if (d.type === 'string' || d.type === 'choice' || d.type === 'environment')
                v = toText(v);
            out[k] = v;
        }
        for (const [k, v] of Object.entries(given))
            if (!(k in out))
                out[k] = v;
        return out;
    }
    async runJobs(scope) {
        const { wf } = scope;
        const results = {};
        const jobs = wf.template.jobs;
        const pending = new Set(jobs.map((j) => j.id.value));
        const workflowEnv = this.evalEnv(wf.template.env, this.ctx(scope, {}), `${this.show(wf.file)}: env`);
        while (pending.size > 0) {
            const next = jobs.find((j) => pending.has(j.id.value) && (j.needs ?? []).every((n) => n.value in results));
            if (!next)
                throw new WorkflowError(`${this.show(wf.file)}: jobs ${[...pending].join(', ')} need each other in a cycle`);
            pending.delete(next.id.value);
            results[next.id.value] = await this.runJob(next, scope, results, workflowEnv);
        }
        const failed = Object.values(results).some((r) => r.result === 'failure');
        const outputs = {};
        const defs = findToken(wf.root, 'on', 'workflow_call', 'outputs');
        if (defs && (0,dist/* isMapping */.pi)(defs)) {
            const jobsCtx = Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r]));
            for (const { key, value } of defs) {
                const v = findToken(value, 'value');
                if (v)
                    outputs[String(key)] = toText(this.evalAt(wf, v, { ...this.ctx(scope, {}), jobs: jobsCtx }, `on.workflow_call.outputs.${key}`));
            }
        }
        return { conclusion: failed ? 'failure' : 'success', jobs: results, outputs };
    }
    ctx(scope, extra) {
        return {
            github: this.github,
            inputs: scope.inputs,
            secrets: scope.secrets,
            vars: this.vars,
            env: {},
            ...extra,
        };
    }
    async runJob(job, scope, done, workflowEnv) {
        const id = job.id.value;
        const label = `${scope.prefix}${id}`;
        const needs = Object.fromEntries((job.needs ?? []).map((n) => [n.value, done[n.value]]));
        const status = needsStatus(job, scope.wf.template.jobs, done);
        const jobCtx = this.ctx(scope, { needs, env: workflowEnv, github: { ...this.github, job: id } });
        const go = isTruthy(this.evalAt(scope.wf, job.if, jobCtx, `jobs.${id}.if`, { status }));
        if (!go) {
            this.log.info(`⏭ job ${label}: skipped (if: ${job.if.expression})`);
            return { result: 'skipped', outputs: {} };
        }
        if (job.type === 'reusableWorkflowJob')
            return this.callWorkflow(job, scope, jobCtx, label);
        if (job.environment) {
            const e = this.evalAt(scope.wf, job.environment, jobCtx, `jobs.${id}.environment`);
            const envName = e && typeof e === 'object' ? toText(e.name) : toText(e);
            this.log.notice(`job ${label}: environment '${envName}': its protection rules and reviewers do not apply locally`);
        }
        const combos = this.matrix(scope.wf, job, jobCtx);
        let result = 'success';
        const outputs = {};
        for (const matrix of combos) {
            const name = Object.keys(matrix).length
                ? `${label} (${Object.values(matrix).map(toText).join(', ')})`
                : label;
            const r = await this.log.group(`job ${name}`, () => this.runSteps(job, scope, { ...jobCtx, matrix, strategy: { 'job-total': combos.length } }, workflowEnv, label));
            this.log.info(`${r.result === 'success' ? '✅' : '❌'} job ${name}: ${r.result}`);
            if (r.result === 'failure')
                result = 'failure';
            Object.assign(outputs, r.outputs);
        }
        return { result, outputs };
    }
    /** `strategy.matrix`: every combination of the lists, less `exclude`, plus `include`, as GitHub expands it. */
    matrix(wf, job, ctx) {
        if (!job.strategy)
            return [{}];
        const strategy = this.evalAt(wf, job.strategy, ctx, `jobs.${job.id.value}.strategy`);
        const m = strategy?.matrix;
        if (m === undefined)
            return [{}];
        const at = `${locationOf(wf.file, job.strategy, this.workspace)}: job '${job.id.value}'`;
        if (!m || typeof m !== 'object' || Array.isArray(m))
            throw new WorkflowError(`${at}: strategy.matrix must be a mapping`);
        const { include = [], exclude = [], ...lists } = m;
        for (const [k, v] of Object.entries({ include, exclude }))
            if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
                throw new WorkflowError(`${at}: strategy.matrix.${k} must be a list of mappings`);
        const keys = Object.keys(lists);
        let combos = keys.length ? [{}] : [];
        for (const [k, values] of Object.entries(lists)) {
            if (!Array.isArray(values))
                throw new WorkflowError(`${at}: strategy.matrix.${k} must be a list`);
            combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
        }
        const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
        const matches = (c, e) => Object.entries(e).every(([k, v]) => same(c[k], v));
        combos = combos.filter((c) => !exclude.some((e) => matches(c, e)));
        const original = combos.length;
        for (const inc of include) {
            // Added to every original combination whose original values it does not change; else a combination of its own.
            let added = false;
            for (const c of combos.slice(0, original))
                if (Object.entries(inc).every(([k, v]) => !keys.includes(k) || same(c[k], v))) {
                    Object.assign(c, inc);
                    added = true;
                }
            if (!added)
                combos.push({ ...inc });
        }
        if (combos.length === 0)
            throw new WorkflowError(`${at}: strategy.matrix has no combination left`);
        return combos;
    }
    async callWorkflow(job, scope, ctx, label) {
        const raw = findToken(scope.wf.root, 'jobs', job.id.value);
        const at = `${locationOf(scope.wf.file, findToken(raw, 'uses'), this.workspace)}: job '${job.id.value}'`;
        const t = resolveWorkflowUses(job.ref.value, {
            workspace: this.workspace,
            suiteRoot: this.opts.suiteRoot,
        });
        if (t.kind !== 'workflow')
            throw new WorkflowError(`${at}: cannot resolve '${job.ref.value}'`);
        if (scope.depth >= 4)
            throw new WorkflowError(`${at}: reusable workflows nest deeper than 4 levels`);
        const called = await this.load(t.file, at);
        const given = job['input-values']
            ? this.evalAt(scope.wf, job['input-values'], ctx, `jobs.${job.id.value}.with`)
            : {};
        const inputs = this.resolveInputs(called, ['workflow_call'], given, at);
        let secrets = {};
        if (job['inherit-secrets'])
            secrets = { ...scope.secrets };
        else if (job['secret-values'])
            secrets = mapText(this.evalAt(scope.wf, job['secret-values'], ctx, `jobs.${job.id.value}.secrets`));
        if (scope.secrets.GITHUB_TOKEN)
            secrets.GITHUB_TOKEN = scope.secrets.GITHUB_TOKEN;
        this.log.info(`↪ job ${label}: calls ${this.show(called.file)}`);
        const r = await this.runJobs({ wf: called, inputs, secrets, prefix: `${label}/`, depth: scope.depth + 1 });
        return { result: r.conclusion, outputs: r.outputs };
    }
    async runSteps(job, scope, jobCtx, workflowEnv, label) {
        const wf = scope.wf;
        const rawJob = findToken(wf.root, 'jobs', job.id.value);
        const jobEnv = { ...workflowEnv, ...this.evalEnv(job.env, jobCtx, `jobs.${job.id.value}.env`) };
        const defaults = {
            ...evaluatePlain(findToken(wf.root, 'defaults', 'run')),
            ...evaluatePlain(findToken(rawJob, 'defaults', 'run')),
        };
        const steps = {};
        const added = {};
        const paths = [];
        const posts = [];
        let failed = false;
        const jobStatus = () => (failed ? 'failure' : 'success');
        for (const [i, step] of job.steps.entries()) {
            const rawStep = findToken(rawJob, 'steps');
            const stepToken = rawStep && (0,dist/* isSequence */.wZ)(rawStep) ? rawStep.get(i) : undefined;
            const where = this.stepWhere(wf, job.id.value, i, step);
            const env = { ...jobEnv, ...added };
            const base = { ...jobCtx, env, steps, job: { status: jobStatus() }, runner: this.runnerCtx() };
            const stepEnv = { ...env, ...this.evalEnv('env' in step ? step.env : undefined, base, where) };
            const ctx = { ...base, env: stepEnv };
            const name = this.stepName(step, ctx, where);
            const stepIf = 'if' in step && step.if ? step.if : undefined;
            if (stepIf && !isTruthy(this.evalOrThrow(stepIf, ctx, where, { status: jobStatus() }))) {
                this.log.info(`⏭ ${name}: skipped`);
                steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
                continue;
            }
            const continueOnError = isTruthy(step['continue-on-error'] === undefined
                ? false
                : typeof step['continue-on-error'] === 'boolean'
                    ? step['continue-on-error']
                    : this.evalOrThrow(step['continue-on-error'], ctx, where));
            this.log.info(`▶ ${name}`);
            const timeout = Number(toText(this.evalTokenOrThrow(findToken(stepToken, 'timeout-minutes'), ctx, where)));
            this.stepTimeoutMs = timeout > 0 ? timeout * 60_000 : undefined;
            const files = await this.stepFiles(label, step.id);
            const childEnv = {
                ...this.baseEnv(),
                ...this.runnerEnv,
                ...stepEnv,
                ...files,
                GITHUB_JOB: job.id.value,
                PATH: [...paths]
                    .reverse()
                    .concat(this.baseEnv().PATH ?? '')
                    .join((external_node_path_default()).delimiter),
            };
            let exitCode;
            if ('run' in step) {
                const script = toText(this.evalOrThrow(step.run, ctx, where));
                const shell = plainText(findToken(stepToken, 'shell')) || defaults.shell || '';
                const wd = toText(this.evalTokenOrThrow(findToken(stepToken, 'working-directory'), ctx, where)) ||
                    defaults['working-directory'] ||
                    '';
                exitCode = await this.runScript(script, shell, external_node_path_default().resolve(this.workspace, wd), childEnv, files, where);
            }
            else if ('uses' in step) {
                const t = resolveStepUses(step.uses.value, {
                    workspace: this.workspace,
                    suiteRoot: this.opts.suiteRoot,
                });
                if (t.kind === 'noop') {
                    this.log.notice(`${name}: '${step.uses.value}' does nothing locally (${/^actions\/checkout@/i.test(step.uses.value) ? 'the workspace is used as it is' : 'tools come from this machine'})`);
                    exitCode = 0;
                }
                else if (t.kind === 'artifact') {
                    const withValues = mapText(this.evalTokenOrThrow(findToken(stepToken, 'with'), ctx, where) ?? {});
                    const r = await localArtifactStep(t.op, withValues, this.workspace, this.log);
                    exitCode = r.exitCode;
                    await (0,promises_.writeFile)(files.GITHUB_OUTPUT, Object.entries(r.outputs)
                        .map(([k, v]) => `${k}=${v}\n`)
                        .join(''));
                }
                else if (t.kind === 'action') {
                    const withValues = mapText(this.evalTokenOrThrow(findToken(stepToken, 'with'), ctx, where) ?? {});
                    exitCode = await this.runAction(t.dir, withValues, ctx, childEnv, files, where, name, posts, jobStatus);
                }
                else
                    throw new WorkflowError(`${where}: ${t.kind === 'unsupported' ? t.reason : 'not supported locally'}`);
            }
            else
                throw new WorkflowError(`${where}: this kind of step is not supported locally`);
            const outputs = parseFileCommand(await (0,promises_.readFile)(files.GITHUB_OUTPUT, 'utf8'));
            Object.assign(added, parseFileCommand(await (0,promises_.readFile)(files.GITHUB_ENV, 'utf8')));
            paths.push(...parsePathFile(await (0,promises_.readFile)(files.GITHUB_PATH, 'utf8')));
            await this.collectSummary(files.GITHUB_STEP_SUMMARY);
            const outcome = exitCode === 0 ? 'success' : 'failure';
            const conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
            steps[step.id] = { outputs, outcome, conclusion };
            if (conclusion === 'failure') {
                failed = true;
                this.log.error(`${where}: failed with exit code ${exitCode}`);
            }
            else if (outcome === 'failure')
                this.log.warning(`${where}: failed with exit code ${exitCode} (continue-on-error)`);
        }
        for (const post of posts.reverse()) {
            if (!isTruthy(this.evalCondition(post.postIf, { ...jobCtx, steps }, post.label, { status: jobStatus() })))
                continue;
            this.log.info(`▶ Post ${post.label}`);
            if ((await post.run()) !== 0) {
                failed = true;
                this.log.error(`Post ${post.label}: failed`);
            }
        }
        const outputs = {};
        if (!failed && job.outputs)
            Object.assign(outputs, mapText(this.evalAt(wf, job.outputs, { ...jobCtx, steps, runner: this.runnerCtx() }, `jobs.${job.id.value}.outputs`)));
        else if (job.outputs) {
            // GitHub still sets the outputs it can; a failing expression must not hide the step's failure.
            try {
                Object.assign(outputs, mapText(evaluateToken(job.outputs, { ...jobCtx, steps })));
            }
            catch { }
        }
        return { result: failed ? 'failure' : 'success', outputs };
    }
    async runScript(script, shell, cwd, env, files, where) {
        const template = STEP_SHELLS[shell] ?? (shell.includes('{0}') ? shell.split(/\s+/) : undefined);
        if (!template)
            throw new WorkflowError(`${where}: shell '${shell}' is not supported locally (bash, sh, python, or a command with {0})`);
        if (!(0,external_node_fs_.existsSync)(cwd))
            throw new WorkflowError(`${where}: working-directory ${this.show(cwd)} does not exist`);
        const file = external_node_path_default().join(external_node_path_default().dirname(files.GITHUB_OUTPUT), shell === 'python' ? 'script.py' : 'script.sh');
        await (0,promises_.writeFile)(file, script);
        const [cmd, ...args] = template.map((a) => a.replace('{0}', file));
        return (await runChild(cmd, args, {
            cwd,
            env,
            log: this.log,
            masks: this.masks,
            timeoutMs: this.stepTimeoutMs,
        })).exitCode;
    }
    async runAction(dir, given, ctx, env, files, where, name, posts, jobStatus) {
        const meta = readActionMeta(dir);
        if (!/^node\d+$/.test(meta.using) || !meta.main)
            throw new WorkflowError(`${where}: '${meta.using}' actions are not supported locally (node actions only)`);
        const main = external_node_path_default().join(dir, meta.main);
        if (!(0,external_node_fs_.existsSync)(main))
            throw new WorkflowError(`${where}: ${this.show(main)} is missing; build the action first (npm run build -- ${external_node_path_default().basename(dir)})`);
        for (const k of Object.keys(given))
            if (!(k in meta.inputs))
                this.log.warning(`${where}: unexpected input '${k}'; valid inputs are ${Object.keys(meta.inputs).join(', ')}`);
        const inputEnv = {};
        for (const [k, spec] of Object.entries(meta.inputs)) {
            const v = given[k] ??
                (spec.default === undefined ? '' : interpolate(String(spec.default), ctx, this.evalOpts(jobStatus())));
            inputEnv[inputVar(k)] = v;
        }
        for (const [k, v] of Object.entries(given))
            inputEnv[inputVar(k)] = v;
        const actionEnv = { ...env, ...inputEnv, GITHUB_ACTION_PATH: dir, GITHUB_ACTION: external_node_path_default().basename(dir) };
        const cwd = this.workspace;
        const code = (await runChild(process.execPath, [main], {
            cwd,
            env: actionEnv,
            log: this.log,
            masks: this.masks,
            timeoutMs: this.stepTimeoutMs,
        })).exitCode;
        if (meta.post) {
            const post = external_node_path_default().join(dir, meta.post);
            const stateFile = files.GITHUB_STATE;
            posts.push({
                label: name,
                postIf: meta.postIf ?? 'always()',
                run: async () => {
                    const state = parseFileCommand(await (0,promises_.readFile)(stateFile, 'utf8'));
                    const postFiles = await this.stepFiles('post', external_node_path_default().basename(dir));
                    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
                    const r = await runChild(process.execPath, [post], {
                        cwd,
                        env: { ...actionEnv, ...postFiles, ...stateEnv },
                        log: this.log,
                        masks: this.masks,
                    });
                    await this.collectSummary(postFiles.GITHUB_STEP_SUMMARY);
                    return r.exitCode;
                },
            });
        }
        return code;
    }
    async stepFiles(label, stepId) {
        const dir = external_node_path_default().join(this.runDir, 'steps', `${String(++this.stepCount).padStart(3, '0')}-${slug(label)}-${slug(stepId)}`);
        await (0,promises_.mkdir)(dir, { recursive: true });
        const files = {
            GITHUB_OUTPUT: external_node_path_default().join(dir, 'output'),
            GITHUB_ENV: external_node_path_default().join(dir, 'env'),
            GITHUB_PATH: external_node_path_default().join(dir, 'path'),
            GITHUB_STATE: external_node_path_default().join(dir, 'state'),
            GITHUB_STEP_SUMMARY: external_node_path_default().join(dir, 'summary.md'),
        };
        for (const f of Object.values(files))
            await (0,promises_.writeFile)(f, '');
        return files;
    }
    async collectSummary(file) {
        if (!file)
            return;
        const text = await (0,promises_.readFile)(file, 'utf8');
        if (text.trim())
            await (0,promises_.appendFile)(this.summaryFile, `${text.trimEnd()}\n\n`);
    }
    runnerCtx() {
        return {
            os: 'Linux',
            arch: 'X64',
            name: 'mlops-local',
            temp: this.runnerEnv.RUNNER_TEMP,
            tool_cache: this.runnerEnv.RUNNER_TOOL_CACHE,
        };
    }
    baseEnv() {
        const base = this.opts.baseEnv ?? process.env;
        return Object.fromEntries(Object.entries(base).filter(([k]) => !/^(INPUT_|STATE_|GITHUB_|RUNNER_|MLOPS_SECRET_)/.test(k)));
    }
    evalOpts(status) {
        return {
            status,
            hashFiles: (patterns) => hashFiles(this.workspace, patterns),
        };
    }
    /** Evaluates a token; a failing expression becomes a `WorkflowError` naming the file, line and key. */
    evalAt(wf, token, ctx, key, opts = {}) {
        return this.evalTokenOrThrow(token, ctx, `${locationOf(wf.file, token, this.workspace)}: ${key}`, opts.status);
    }
    evalTokenOrThrow(token, ctx, where, status = 'success') {
        if (!token)
            return undefined;
        try {
            return evaluateToken(token, ctx, this.evalOpts(status));
        }
        catch (e) {
            if (e instanceof ExpressionFailure)
                throw new WorkflowError(`${where}: ${e.message}`);
            throw e;
        }
    }
    evalOrThrow(token, ctx, where, opts = {}) {
        return this.evalTokenOrThrow(token, ctx, where, opts.status);
    }
    evalCondition(expression, ctx, where, opts = {}) {
        try {
            const bare = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
            return evaluate(bare, ctx, this.evalOpts(opts.status ?? 'success'));
        }
        catch (e) {
            if (e instanceof ExpressionFailure)
                throw new WorkflowError(`${where}: post-if: ${e.message}`);
            throw e;
        }
    }
    evalEnv(token, ctx, where) {
        return mapText(this.evalTokenOrThrow(token, ctx, where) ?? {});
    }
    stepName(step, ctx, where) {
        if (step.name)
            return toText(this.evalTokenOrThrow(step.name, ctx, where));
        if ('uses' in step)
            return `Run ${step.uses.value}`;
        if ('run' in step) {
            const text = (0,dist/* isBasicExpression */.hR)(step.run)
                ? (step.run.source ?? step.run.expression)
                : step.run.toString();
            return `Run ${text.trim().split('\n')[0]}`;
        }
        return step.id;
    }
    /** `file:line:col: job 'j', step 'name'` for a step's messages. */
    stepWhere(wf, jobId, index, step, key) {
        const steps = findToken(wf.root, 'jobs', jobId, 'steps');
        const raw = steps && (0,dist/* isSequence */.wZ)(steps) ? steps.get(index) : undefined;
        const at = locationOf(wf.file, key ? (findToken(raw, key) ?? raw) : raw, this.workspace);
        const shown = step.name && (0,dist/* isString */.Kg)(step.name)
            ? step.name.value
            : step.id.startsWith('__')
                ? `#${index + 1}`
                : step.id;
        return `${at}: job '${jobId}', step '${shown}'`;
    }
}
/** `on.<event>.inputs` of the given events, from the raw tokens (the parser's model drops number types and defaults). */
function inputDefinitions(wf, events) {
    const out = {};
    for (const event of events) {
        const inputs = findToken(wf.root, 'on', event, 'inputs');
        if (!inputs || !(0,dist/* isMapping */.pi)(inputs))
            continue;
        for (const { key, value } of inputs) {
            const spec = (evaluatePlainSafe(value) ?? {});
            out[String(key)] = {
                type: String(spec.type ?? 'string'),
                required: spec.required === true,
                default: findToken(value, 'default'),
                options: Array.isArray(spec.options) ? spec.options.map(String) : undefined,
            };
        }
    }
    return out;
}
/** Who failed before this job: its needs' results, and any failure further up. */
function needsStatus(job, jobs, done) {
    const ancestors = new Set();
    const visit = (j) => {
        for (const n of j?.needs ?? []) {
            if (ancestors.has(n.value))
                continue;
            ancestors.add(n.value);
            visit(jobs.find((x) => x.id.value === n.value));
        }
    };
    visit(job);
    const results = [...ancestors].map((a) => done[a]?.result);
    if (results.includes('failure'))
        return 'failure';
    if (results.includes('cancelled'))
        return 'cancelled';
    if ((job.needs ?? []).some((n) => done[n.value]?.result !== 'success'))
        return 'skipped';
    return 'success';
}
function readActionMeta(dir) {
    const file = (0,external_node_fs_.existsSync)(external_node_path_default().join(dir, 'action.yml'))
        ? external_node_path_default().join(dir, 'action.yml')
        : external_node_path_default().join(dir, 'action.yaml');
    const doc = ((0,yaml_dist/* parse */.qg)((0,external_node_fs_.readFileSync)(file, 'utf8')) ?? {});
    return {
        inputs: doc.inputs ?? {},
        using: String(doc.runs?.using ?? ''),
        main: doc.runs?.main,
        post: doc.runs?.post,
        postIf: doc.runs?.['post-if'],
    };
}
const inputVar = (name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
const slug = (s) => s.replace(/[^a-zA-Z0-9_.-]+/g, '_').replace(/^_+/, '') || 'step';
function mapText(v) {
    if (!v || typeof v !== 'object')
        return {};
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toText(x)]));
}
/** A literal token (no expressions allowed there, such as `shell:` or `defaults.run`) as a plain value. */
function evaluatePlain(token) {
    return token ? evaluateToken(token, {}) : {};
}
function plainText(token) {
    return token ? toText(evaluateToken(token, {})) : '';
}
function evaluatePlainSafe(token) {
    try {
        return evaluateToken(token, {});
    }
    catch {
        return undefined;
    }
}
function prefixed(env, prefix) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (k.startsWith(prefix) && v !== undefined)
            out[k.slice(prefix.length)] = v;
    return out;
}
function gitSha(cwd) {
    try {
        return (0,external_node_child_process_.execFileSync)('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
            .toString()
            .trim();
    }
    catch {
        return '0'.repeat(40);
    }
}
/** `hashFiles(patterns)`: SHA-256 over the SHA-256 of each matching file, in path order; '' when none match. */
function hashFiles(workspace, patterns) {
    const files = (0,tinyglobby_dist/* globSync */.AZ)(patterns, { cwd: workspace, onlyFiles: true, dot: false }).sort();
    if (files.length === 0)
        return '';
    const all = (0,external_node_crypto_.createHash)('sha256');
    for (const f of files)
        all.update((0,external_node_crypto_.createHash)('sha256')
            .update((0,external_node_fs_.readFileSync)(external_node_path_default().join(workspace, f)))
            .digest());
    return all.digest('hex');
}


/***/ })

};
