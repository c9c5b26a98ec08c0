import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_SERVER } from '../../shared/image/node-server.js'
import { SKLEARN_SERVER } from '../../shared/image/sklearn-server.js'
import { post, promtoolCheck, type RunningServer, startServer } from '../harness/model-server.js'

// The generated servers, run for real on the host: the sklearn one with Debian's python3-sklearn
// (/usr/bin/python3, as in the image), the node one with this node. A missing tool fails, never skips.
const PYTHON = '/usr/bin/python3'
const TRAIN = path.resolve(import.meta.dirname, '../fixtures/image/train.py')

const metricLine = (text: string, re: RegExp) =>
  text.split('\n').find((l) => re.test(l) && !l.startsWith('#'))

describe('sklearn server (server.py)', () => {
  let dir: string
  let server: RunningServer
  let sample: { rows: Record<string, number>[]; predictions: number[] }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sk-server-'))
    execFileSync(PYTHON, [TRAIN, path.join(dir, 'model')])
    sample = JSON.parse(await readFile(path.join(dir, 'model', 'sample.json'), 'utf8'))
    await writeFile(path.join(dir, 'server.py'), SKLEARN_SERVER)
    server = await startServer(PYTHON, [path.join(dir, 'server.py')], {
      MODEL_NAME: 'churn',
      MODEL_VERSION: '3',
      MODEL_PATH: path.join(dir, 'model'),
    })
  })
  afterAll(async () => server?.stop())

  it('--check loads the model and exits', () => {
    const out = execFileSync(PYTHON, [path.join(dir, 'server.py'), '--check'], {
      env: { ...process.env, MODEL_PATH: path.join(dir, 'model'), MODEL_NAME: 'churn', MODEL_VERSION: '3' },
      encoding: 'utf8',
    })
    expect(out).toContain('model loads: churn 3: LogisticRegression')
  })

  it('answers /predict with the predictions of training, for object rows and list rows', async () => {
    const byName = await post(`${server.url}/predict`, { rows: sample.rows })
    expect(byName).toEqual({
      status: 200,
      json: { predictions: sample.predictions, model: 'churn', version: '3' },
    })
    const lists = sample.rows.map((r) => [r.age, r.income, r.tenure])
    expect((await post(`${server.url}/predict`, { instances: lists })).json.predictions).toEqual(
      sample.predictions,
    )
    expect((await post(`${server.url}/predict`, lists)).json.predictions).toEqual(sample.predictions)
  })

  it('answers bad requests with 400 and a reason', async () => {
    expect(await post(`${server.url}/predict`, 'not json')).toMatchObject({ status: 400 })
    const missing = await post(`${server.url}/predict`, { rows: [{ age: 1, income: 2 }] })
    expect(missing).toEqual({ status: 400, json: { error: 'row 0 lacks feature(s) tenure' } })
    const short = await post(`${server.url}/predict`, { rows: [[1, 2]] })
    expect(short.json.error).toMatch(/row 0 has 2 values, the model expects 3/)
    expect((await post(`${server.url}/predict`, { rows: [] })).status).toBe(400)
  })

  it('answers /health', async () => {
    const r = await fetch(`${server.url}/health`)
    expect(await r.json()).toEqual({ status: 'ok', model: 'churn', version: '3' })
  })

  it('exposes /metrics that promtool accepts, labelled with model and version', async () => {
    const r = await fetch(`${server.url}/metrics`)
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await r.text()
    promtoolCheck(text)
    const n = sample.predictions.length
    expect(metricLine(text, /^mlops_model_predictions_total\{/)).toBe(
      `mlops_model_predictions_total{model="churn",version="3"} ${3 * n}`,
    )
    const ones = sample.predictions.filter((p) => p === 1).length
    expect(metricLine(text, /^mlops_model_predicted_class_total\{.*class="1"/)).toBe(
      `mlops_model_predicted_class_total{model="churn",version="3",class="1"} ${3 * ones}`,
    )
    expect(
      metricLine(text, /^mlops_model_requests_total\{.*path="\/predict",method="POST",code="200"/),
    ).toMatch(/ 3$/)
    expect(metricLine(text, /^mlops_model_request_errors_total\{.*kind="bad_request"/)).toMatch(/ 4$/)
    expect(metricLine(text, /^mlops_model_request_duration_seconds_count\{.*path="\/predict"/)).toMatch(/ 7$/)
    expect(
      metricLine(text, /^mlops_model_request_duration_seconds_bucket\{.*path="\/predict",le="\+Inf"/),
    ).toMatch(/ 7$/)
    expect(text).toContain('mlops_model_info{model="churn",version="3",flavor="sklearn"} 1')
  })
})

describe('node server (server.mjs)', () => {
  let dir: string
  let server: RunningServer

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'node-server-'))
    await mkdir(path.join(dir, 'model'))
    await writeFile(
      path.join(dir, 'model', 'model.mjs'),
      [
        "export const classes = ['no', 'yes']",
        'export async function predict(rows) {',
        "  if (rows.some((r) => typeof r.x !== 'number')) throw new Error('every row needs a number x')",
        "  return rows.map((r) => (r.x > 0 ? 'yes' : 'no'))",
        '}',
      ].join('\n'),
    )
    await writeFile(path.join(dir, 'server.mjs'), NODE_SERVER)
    server = await startServer(process.execPath, [path.join(dir, 'server.mjs')], {
      MODEL_NAME: 'scorer',
      MODEL_VERSION: '7',
      MODEL_PATH: path.join(dir, 'model'),
    })
  })
  afterAll(async () => server?.stop())

  it('predicts, refuses bad rows, reports health and metrics', async () => {
    expect(await post(`${server.url}/predict`, { rows: [{ x: 1 }, { x: -2 }, { x: 3 }] })).toEqual({
      status: 200,
      json: { predictions: ['yes', 'no', 'yes'], model: 'scorer', version: '7' },
    })
    const bad = await post(`${server.url}/predict`, { rows: [{ y: 1 }] })
    expect(bad).toEqual({
      status: 400,
      json: { error: 'the model could not predict these rows: every row needs a number x' },
    })
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({
      status: 'ok',
      model: 'scorer',
      version: '7',
    })
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    const text = await (await fetch(`${server.url}/metrics`)).text()
    promtoolCheck(text)
    expect(text).toContain('mlops_model_predictions_total{model="scorer",version="7"} 3')
    expect(text).toContain('mlops_model_predicted_class_total{model="scorer",version="7",class="yes"} 2')
    expect(text).toContain(
      'mlops_model_request_errors_total{model="scorer",version="7",path="/predict",kind="bad_request"} 1',
    )
    expect(text).toContain(
      'mlops_model_request_errors_total{model="scorer",version="7",path="other",kind="not_found"} 1',
    )
  })
})
