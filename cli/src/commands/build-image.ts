import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadMlopsConfig } from '../../../shared/config/mlops-config.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { buildImage } from '../../../shared/image/build.js'
import { BUILDERS, type BuilderChoice } from '../../../shared/image/builders.js'
import { nodeExec } from '../../../shared/image/exec.js'
import { defaultImage } from '../../../shared/image/labels.js'
import { resolveModelSource } from '../../../shared/image/model-source.js'
import { imageRunRecord } from '../../../shared/image/record.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

const list = (v: string[] | undefined) =>
  (v ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)

export const buildImageCommand: Command = {
  name: 'build-image',
  summary: 'build (and push) a serving image for a model: your Dockerfile or one generated for its flavor',
  usage: `mlops build-image (--model-path PATH | --model NAME@VERSION|NAME@ALIAS) [options]

  --model-path PATH       model file or directory (default: train.model_path in mlops.yaml)
  --model NAME@REF        a registered version (churn@3, churn@production) from the model registry
  --model-name NAME       (default: model.name in mlops.yaml)   --model-version V   --run-id ID
  --flavor sklearn|node   generated server flavor (default: model.flavor in mlops.yaml)
  --dockerfile FILE       your own Dockerfile instead of a generated one
  --context DIR           build context (generated: where it is written, default .mlops/image/<model>)
  --image REPO            image repository (default: image.name in mlops.yaml, else localhost/<model>)
  --tag T                 repeatable; default: the model version and sha-<short sha> (MLOPS_SHA or git's HEAD)
  --no-push               build only
  --builder B             ${BUILDERS.join('|')} (default auto: docker if 'docker info' answers, else buildah, else podman)
  --platform P            repeatable (several need docker buildx)
  --base-image IMAGE      --requirements FILE|PKGS|none    --build-arg KEY=value (repeatable)
  --backend B --registry ADDR   model registry for --model (default: registry: in mlops.yaml, else local)
  --config FILE           (default mlops.yaml)

Registry login: set MLOPS_REGISTRY_USERNAME and MLOPS_REGISTRY_PASSWORD (read from the environment, passed to
the builder on stdin), or log in beforehand with '<builder> login'.`,
  async run(args, log) {
    const { values } = parse(args, {
      'model-path': { type: 'string' },
      model: { type: 'string' },
      'model-name': { type: 'string' },
      'model-version': { type: 'string' },
      'run-id': { type: 'string' },
      flavor: { type: 'string' },
      dockerfile: { type: 'string' },
      context: { type: 'string' },
      image: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'no-push': { type: 'boolean' },
      builder: { type: 'string', default: 'auto' },
      platform: { type: 'string', multiple: true },
      'base-image': { type: 'string' },
      requirements: { type: 'string' },
      'build-arg': { type: 'string', multiple: true },
      backend: { type: 'string' },
      registry: { type: 'string' },
      config: { type: 'string', default: 'mlops.yaml' },
    })
    if (!(BUILDERS as readonly string[]).includes(values.builder))
      throw new InputError('--builder', `must be one of ${BUILDERS.join(', ')}; got '${values.builder}'`)
    const buildArgs: Record<string, string> = {}
    for (const a of values['build-arg'] ?? []) {
      const eq = a.indexOf('=')
      if (eq <= 0) throw new InputError('--build-arg', `'${a}' is not KEY=value`)
      buildArgs[a.slice(0, eq)] = a.slice(eq + 1)
    }
    const username = process.env.MLOPS_REGISTRY_USERNAME
    const password = process.env.MLOPS_REGISTRY_PASSWORD
    const config = await loadMlopsConfig(values.config, { optional: true })
    const run = { ...runContext(), ...(process.env.MLOPS_SHA ? { sha: process.env.MLOPS_SHA } : {}) }
    if (!run.sha) run.sha = (await gitHead()) ?? undefined
    const work = await mkdtemp(path.join(tmpdir(), 'mlops-image-'))
    const startedAt = new Date()
    const source = await resolveModelSource(
      {
        model: values.model,
        modelPath: values['model-path'],
        modelName: values['model-name'],
        modelVersion: values['model-version'],
        runId: values['run-id'],
        flavor: values.flavor,
        backend: values.backend,
        registry: values.registry,
        username,
        password,
        downloadDir: path.join(work, 'model'),
        currentRunId: run.runId,
      },
      config,
      log,
    )
    const r = await buildImage(
      {
        modelPath: source.modelPath,
        model: source.lineage,
        dockerfile: values.dockerfile,
        context: values.context,
        image: values.image ?? config.image?.name ?? defaultImage(run, source.lineage.name),
        tags: list(values.tag),
        push: !values['no-push'],
        builder:
          values.builder !== 'auto' ? (values.builder as BuilderChoice) : (config.image?.builder ?? 'auto'),
        platforms: values.platform?.length ? list(values.platform) : (config.image?.platforms ?? []),
        baseImage: values['base-image'] ?? config.image?.base_image,
        requirements: values.requirements ?? config.image?.requirements,
        buildArgs,
        credentials: username && password ? { username, password } : undefined,
        run,
        githubActions: false,
        workDir: path.join(work, 'build'),
      },
      { exec: nodeExec, log },
    )
    const record = await writeRunRecord(imageRunRecord(r, source.origin, run, startedAt, new Date()))
    log.info(`Image: ${r.image}`)
    log.info(`Tags: ${r.tags.join(', ')}`)
    log.info(`Dockerfile: ${r.dockerfile}${r.generated ? ' (generated)' : ''}`)
    log.info(`Run record: ${record}`)
    return 0
  },
}

async function gitHead(): Promise<string | undefined> {
  const r = await nodeExec('git', ['rev-parse', 'HEAD'])
  return r.code === 0 ? r.stdout.trim() : undefined
}
