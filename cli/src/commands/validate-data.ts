import { expandData } from '../../../shared/data/read.js'
import type { DataFormat } from '../../../shared/data/types.js'
import { InputError } from '../../../shared/errors.js'
import { runContext } from '../../../shared/github/context.js'
import { writeRunRecord } from '../../../shared/run-record/io.js'
import { writeFileAtomic } from '../../../shared/util/fs.js'
import { inferSchema } from '../../../shared/validate/infer.js'
import { annotate, runRecordOf, writeOutputs } from '../../../shared/validate/outputs.js'
import { parallelFor } from '../../../shared/validate/parallel-scan.js'
import { mergeProfiles, profileOf, readProfile } from '../../../shared/validate/profile.js'
import { headline, renderMarkdown } from '../../../shared/validate/report.js'
import { parseShard, scanDataset } from '../../../shared/validate/scan.js'
import { loadDataSchema } from '../../../shared/validate/schema.js'
import { validateData } from '../../../shared/validate/validate.js'
import { parse } from '../args.js'
import type { Command } from '../command.js'

const FORMATS = ['csv', 'tsv', 'jsonl', 'parquet'] as const

function common(values: { shard?: string; delimiter?: string; format?: string }) {
  const shard = values.shard ? parseShard(values.shard) : undefined
  if (values.shard && !shard)
    throw new InputError('--shard', `must be 'i/n' with 1 ≤ i ≤ n; got '${values.shard}'`)
  if (values.format && !FORMATS.includes(values.format as DataFormat))
    throw new InputError('--format', `must be one of ${FORMATS.join(', ')}; got '${values.format}'`)
  const delimiter = values.delimiter === '\\t' ? '\t' : values.delimiter
  if (delimiter !== undefined && delimiter.length !== 1)
    throw new InputError('--delimiter', `must be one character; got '${values.delimiter}'`)
  return { shard, delimiter, format: values.format as DataFormat | undefined }
}

function threadsOf(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 64)
    throw new InputError('--threads', `must be a whole number from 0 to 64; got '${text}'`)
  return n
}

const need = (v: string[] | undefined, flag: string): string[] => {
  if (!v?.length) throw new InputError(flag, 'is required', "See '--help'")
  return v
}

export const validateDataCommand: Command = {
  name: 'validate-data',
  summary: 'check a dataset against a schema, profile it and test drift against a reference',
  usage: `mlops validate-data --data GLOB... [--schema schema.yaml] [--reference GLOB|profile.json]... [--fail-on error|warning|never]
                    [--report FILE] [--profile-out FILE] [--shard i/n] [--delimiter C] [--format csv|tsv|jsonl|parquet]
                    [--threads N]

  --threads N: worker threads for large CSV/TSV files (16 MiB or more); 0 (default) one per core, 1 none.
  Exit code 1 when the data fails under --fail-on (default error). Writes the JSON report
  (default .mlops/validate-data/report.json) and a run record under .mlops/records/.`,
  async run(args, log) {
    const { values } = parse(args, {
      data: { type: 'string', multiple: true },
      schema: { type: 'string' },
      reference: { type: 'string', multiple: true },
      'fail-on': { type: 'string', default: 'error' },
      report: { type: 'string', default: '.mlops/validate-data/report.json' },
      'profile-out': { type: 'string' },
      shard: { type: 'string' },
      delimiter: { type: 'string' },
      format: { type: 'string' },
      threads: { type: 'string', default: '0' },
      model: { type: 'string', default: 'model' },
    })
    const failOn = values['fail-on']
    if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never')
      throw new InputError('--fail-on', `must be error, warning or never; got '${failOn}'`)
    const startedAt = new Date()
    const schema = values.schema ? await loadDataSchema(values.schema) : undefined
    const { report, profile } = await validateData(
      {
        data: need(values.data, '--data'),
        schema,
        reference: values.reference,
        failOn,
        threads: threadsOf(values.threads),
        ...common(values),
      },
      log,
    )
    const file = await writeOutputs(report, profile, {
      report: values.report,
      profileOut: values['profile-out'],
    })
    annotate(report, log)
    log.info(renderMarkdown(report))
    await writeRunRecord(
      runRecordOf(report, {
        model: values.model,
        run: runContext(),
        startedAt,
        finishedAt: new Date(),
        reportFile: file,
      }),
    )
    log.info(`${headline(report)} → ${file}`)
    return report.passed ? 0 : 1
  },
}

export const profileCommand: Command = {
  name: 'profile',
  summary: 'write the mergeable column profile of a dataset (or merge shard profiles with --merge)',
  usage: `mlops profile --data GLOB... [--schema schema.yaml] [--shard i/n] [--threads N] --out profile.json
mlops profile --merge PROFILE... --out profile.json`,
  async run(args, log) {
    const { values } = parse(args, {
      data: { type: 'string', multiple: true },
      merge: { type: 'string', multiple: true },
      schema: { type: 'string' },
      out: { type: 'string' },
      shard: { type: 'string' },
      delimiter: { type: 'string' },
      format: { type: 'string' },
      threads: { type: 'string', default: '0' },
    })
    const out = values.out
    if (!out) throw new InputError('--out', 'is required', "See '--help'")
    let profile: ReturnType<typeof profileOf>
    if (values.merge?.length) {
      const files = await expandData(values.merge)
      profile = mergeProfiles(await Promise.all(files.map(readProfile)))
      log.info(`Merged ${files.length} profiles: ${profile.rows} rows`)
    } else {
      const schema = values.schema ? await loadDataSchema(values.schema) : undefined
      const files = await expandData(need(values.data, '--data'))
      const parallel = parallelFor(threadsOf(values.threads))
      profile = profileOf(await scanDataset(files, { schema, parallel, ...common(values) }))
      log.info(`Profiled ${profile.rows} rows in ${files.length} file(s)`)
    }
    await writeFileAtomic(out, `${JSON.stringify(profile)}\n`)
    log.info(`Profile → ${out}`)
    return 0
  },
}

export const inferSchemaCommand: Command = {
  name: 'infer-schema',
  summary: 'write a data schema from a dataset (it passes on that dataset; review and tighten it)',
  usage:
    'mlops infer-schema --data GLOB... [--out schema.yaml] [--delimiter C] [--format csv|tsv|jsonl|parquet]',
  async run(args, log) {
    const { values } = parse(args, {
      data: { type: 'string', multiple: true },
      out: { type: 'string' },
      delimiter: { type: 'string' },
      format: { type: 'string' },
    })
    const files = await expandData(need(values.data, '--data'))
    const { shard: _s, ...opts } = common(values)
    const { yaml, rows } = await inferSchema(files, opts)
    if (values.out) {
      await writeFileAtomic(values.out, yaml)
      log.info(`Schema of ${rows} rows → ${values.out}`)
    } else process.stdout.write(yaml)
    return 0
  },
}
