import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalForge } from '../../shared/forge/local-forge.js'
import { buildReports } from '../../shared/report/build.js'
import { truncateMarkdown } from '../../shared/report/markdown.js'
import { publishReports } from '../../shared/report/publish.js'
import { COMMENT_LIMIT } from '../../shared/report/render.js'
import { readRunRecords } from '../../shared/run-record/io.js'
import { RUN_RECORD_SCHEMA, type RunRecord } from '../../shared/run-record/schema.js'
import { silentLogger } from '../../shared/util/logger.js'

const fixtures = path.resolve(import.meta.dirname, '../fixtures/run-records')

const record = (over: Partial<RunRecord>): RunRecord => ({
  schema: RUN_RECORD_SCHEMA,
  id: 'r1',
  kind: 'train-model',
  status: 'passed',
  headline: 'ok',
  details: '',
  model: { name: 'churn' },
  run: {},
  startedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:00:01.000Z',
  result: {},
  ...over,
})

describe('report', () => {
  it('merges the fixture records into one report per model, worst status first', async () => {
    const records = await readRunRecords([`${fixtures}/*.json`])
    const [r] = buildReports(records, { title: 'MLOps report', now: new Date(0) })
    expect(r!.model).toBe('churn')
    expect(r!.status).toBe('failed')
    expect(r!.truncated).toBe(false)
    expect(r!.full).toContain('## ❌ MLOps report: `churn`')
    expect(r!.full).toContain('| validate-data | ✅ passed | 12,000 rows')
    expect(r!.full.indexOf('### ✅ validate-data')).toBeLessThan(r!.full.indexOf('### ❌ evaluate-gate'))
  })

  it('makes one report per model and counts a record seen twice once', () => {
    const reports = buildReports(
      [
        record({ id: 'a' }),
        record({ id: 'a' }),
        record({ id: 'b', model: { name: 'fraud' }, status: 'warning' }),
      ],
      { title: 'T' },
    )
    expect(reports.map((r) => [r.model, r.records.length, r.status])).toEqual([
      ['churn', 1, 'passed'],
      ['fraud', 1, 'warning'],
    ])
    expect(() => buildReports([record({})], { title: 'T', model: 'nope' })).toThrow(
      /No run records for model 'nope'/,
    )
  })

  it('keeps the comment under the limit, cutting the long section and keeping the short ones', () => {
    const huge = `\`\`\`mermaid\n${'x-axis line\n'.repeat(20_000)}\`\`\``
    const records = [
      record({ id: 'a', kind: 'validate-data', details: 'short validation section' }),
      record({ id: 'b', kind: 'train-model', details: huge }),
    ]
    const [r] = buildReports(records, { title: 'T', runUrl: 'https://github.com/o/r/actions/runs/1' })
    expect(r!.full.length).toBeGreaterThan(200_000)
    expect(r!.truncated).toBe(true)
    expect(r!.comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(r!.comment).toContain('short validation section')
    expect(r!.comment).toContain('`mlops-report-churn` artifact')
    expect(r!.comment).toContain('[this run](https://github.com/o/r/actions/runs/1)')
    expect((r!.comment.match(/```/g) ?? []).length % 2).toBe(0)
  })

  it('closes a code fence and details block the cut leaves open', () => {
    const cut = truncateMarkdown(
      `<details>\n\n\`\`\`\n${'line\n'.repeat(100)}\`\`\`\n</details>`,
      200,
      'NOTE',
    )
    expect(cut.length).toBeLessThanOrEqual(200)
    expect(cut).toMatch(/```\n<\/details>\n\nNOTE$/)
  })

  it('upserts one sticky comment per model in the local outbox', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'outbox-'))
    const forge = new LocalForge(dir)
    const target = { prNumber: 7, isFork: false, comment: true, forge: () => forge }
    const first = buildReports([record({ headline: 'first' })], { title: 'T' })
    const [a] = await publishReports(first, target, silentLogger)
    const second = buildReports([record({ headline: 'second' })], { title: 'T' })
    const [b] = await publishReports(second, target, silentLogger)
    expect(a!.action).toBe('created')
    expect(b!.action).toBe('updated')
    expect(b!.commentId).toBe(a!.commentId)
    const comments = []
    for await (const c of forge.comments(7)) comments.push(c)
    expect(comments).toHaveLength(1)
    expect(await readFile(b!.commentUrl!, 'utf8')).toContain('second')
  })

  it('skips the comment without a pull request, saying why', async () => {
    const notices: string[] = []
    const log = { ...silentLogger, notice: (m: string) => notices.push(m) }
    const out = await publishReports(
      buildReports([record({})], { title: 'T' }),
      {
        isFork: false,
        comment: true,
        forge: () => {
          throw new Error('no forge needed')
        },
      },
      log,
    )
    expect(out[0]!.action).toBe('skipped')
    expect(notices[0]).toContain('not for a pull request')
  })
})
