import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { table } from '../report/markdown.js'
import { RUN_RECORD_SCHEMA, type RunContext, type RunRecordInput } from '../run-record/schema.js'
import type { BuildImageResult } from './build.js'
import { LABEL_PREFIX } from './labels.js'

/** The Markdown for the job summary and the run record's details. */
export function imageSummary(r: BuildImageResult, origin: string): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.'
  const rows: [string, string][] = [
    ['Image', `\`${r.image}\``],
    ['Digest', r.digest ? `\`${r.digest}\`${r.pushed ? '' : ' (local image, not pushed)'}` : ''],
    ['Tags', r.tags.map((t) => `\`${t}\``).join('<br>')],
    ['Model', `${r.model.name}${r.model.version ? ` version ${r.model.version}` : ''} (${origin})`],
    ['Model digest', r.model.digest ? `\`${r.model.digest}\`` : ''],
    ['Dockerfile', `\`${rel(r.dockerfile)}\`${r.generated ? ` (generated, flavor ${r.model.flavor})` : ''}`],
    ...(r.baseImage ? ([['Base image', `\`${r.baseImage}\``]] as [string, string][]) : []),
    ...(r.requirements ? ([['Requirements', r.requirements]] as [string, string][]) : []),
    ['Builder', `${r.builder} (${r.builderReason})`],
    ['Pushed', r.pushed ? 'yes' : 'no'],
  ]
  const labels = Object.entries(r.labels).map(([k, v]) => [`\`${k}\``, v])
  return [
    `### 🐳 Image ${r.pushed ? 'built and pushed' : 'built'}: \`${r.tags[0]}\``,
    '',
    table(['', ''], rows),
    '',
    '<details><summary>Labels</summary>',
    '',
    table(['Label', 'Value'], labels),
    '',
    `Lineage labels use the prefix \`${LABEL_PREFIX}\`.`,
    '</details>',
  ].join('\n')
}

export function imageRunRecord(
  r: BuildImageResult,
  origin: string,
  run: RunContext,
  startedAt: Date,
  finishedAt: Date,
): RunRecordInput {
  return {
    schema: RUN_RECORD_SCHEMA,
    id: randomUUID(),
    kind: 'build-docker-image',
    status: 'passed',
    headline: `${r.pushed ? 'Pushed' : 'Built'} ${r.tags[0]}${r.digest ? ` (${r.digest.slice(0, 19)}…)` : ''} with ${r.builder}`,
    details: imageSummary(r, origin),
    model: { name: r.model.name, ...(r.model.version ? { version: r.model.version } : {}) },
    run,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    result: {
      image: r.image,
      digest: r.digest,
      tags: r.tags,
      dockerfile: r.dockerfile,
      generated: r.generated,
      builder: r.builder,
      pushed: r.pushed,
      labels: r.labels,
      modelDigest: r.model.digest,
      origin,
    },
  }
}
