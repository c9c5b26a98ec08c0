// Trains a random forest (npm `ml-random-forest`) on data/iris.csv and writes what mlops train-model
// collects: metrics to $MLOPS_METRICS_FILE, the model to $MLOPS_MODEL_DIR. Everything random draws from
// $MLOPS_SEED, so the same seed gives the same split, the same forest and the same metrics.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { RandomForestClassifier } from 'ml-random-forest'

const env = (name, fallback) => process.env[name] || fallback
const seed = Number(env('MLOPS_SEED', '42'))
const params = JSON.parse(readFileSync(env('MLOPS_PARAMS_FILE', 'params.json'), 'utf8'))
const dataFile = env('IRIS_CSV', 'data/iris.csv')
const modelDir = env('MLOPS_MODEL_DIR', 'model')
const metricsFile = env('MLOPS_METRICS_FILE', 'metrics.json')

// Mulberry32: a tiny seeded generator, so the split does not depend on Math.random.
function rng(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const [header, ...lines] = readFileSync(dataFile, 'utf8').trim().split('\n')
const columns = header.split(',')
const rows = lines.map((l) => l.split(','))
const labelIndex = columns.indexOf('species')
const featureNames = columns.filter((_, i) => i !== labelIndex)
const classes = [...new Set(rows.map((r) => r[labelIndex]))].sort()
const X = rows.map((r) => r.filter((_, i) => i !== labelIndex).map(Number))
const y = rows.map((r) => classes.indexOf(r[labelIndex]))

// Stratified split: the same share of every class in the test set.
const random = rng(seed)
const train = []
const test = []
for (let c = 0; c < classes.length; c++) {
  const idx = y.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0)
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[idx[i], idx[j]] = [idx[j], idx[i]]
  }
  const nTest = Math.round(idx.length * params.split.test_fraction)
  test.push(...idx.slice(0, nTest))
  train.push(...idx.slice(nTest))
}

const forest = params.forest
const model = new RandomForestClassifier({
  seed,
  nEstimators: forest.n_estimators,
  maxFeatures: forest.max_features,
  replacement: forest.replacement,
  treeOptions: { maxDepth: forest.max_depth },
})
const started = Date.now()
model.train(
  train.map((i) => X[i]),
  train.map((i) => y[i]),
)
const predicted = model.predict(test.map((i) => X[i]))
const actual = test.map((i) => y[i])

// Accuracy and per-class precision, recall and F1; macro averages as scikit-learn computes them.
const perClass = {}
let f1Sum = 0
for (let c = 0; c < classes.length; c++) {
  const tp = predicted.filter((p, i) => p === c && actual[i] === c).length
  const fp = predicted.filter((p, i) => p === c && actual[i] !== c).length
  const fn = predicted.filter((p, i) => p !== c && actual[i] === c).length
  const precision = tp + fp ? tp / (tp + fp) : 0
  const recall = tp + fn ? tp / (tp + fn) : 0
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
  perClass[classes[c]] = { precision: round(precision), recall: round(recall), f1: round(f1) }
  f1Sum += f1
}
function round(v) {
  return Math.round(v * 1e6) / 1e6
}
const metrics = {
  accuracy: round(predicted.filter((p, i) => p === actual[i]).length / actual.length),
  f1_macro: round(f1Sum / classes.length),
  per_class: perClass,
  train_rows: train.length,
  test_rows: test.length,
}

mkdirSync(modelDir, { recursive: true })
writeFileSync(path.join(modelDir, 'model.json'), JSON.stringify(model.toJSON()))
writeFileSync(
  path.join(modelDir, 'model-meta.json'),
  `${JSON.stringify({ library: 'ml-random-forest@2.1.0', features: featureNames, classes, seed }, null, 2)}\n`,
)
mkdirSync(path.dirname(metricsFile), { recursive: true })
writeFileSync(metricsFile, `${JSON.stringify(metrics, null, 2)}\n`)
console.log(
  `trained ${forest.n_estimators} trees on ${train.length} rows in ${Date.now() - started} ms: accuracy ${metrics.accuracy}, f1_macro ${metrics.f1_macro}`,
)
