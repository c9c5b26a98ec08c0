import { describe, expect, it } from 'vitest'
import { mlopsConfigSchema } from '../../shared/config/mlops-config.js'
import { resolveTrainOptions, type TrainInputs } from '../../shared/train/options.js'

const base = { workspace: '/ws', env: {}, context: { repository: 'octo/churn-repo' } }
const none: TrainInputs = { data: [], cachePaths: [], upload: true }
const config = mlopsConfigSchema.parse({
  model: { name: 'churn' },
  data: { path: 'data/all.csv' },
  train: {
    command: 'python train.py',
    working_directory: 'ml',
    params: 'params.yaml',
    metrics: 'out/metrics.yaml',
    model_path: 'out/model.pkl',
    seed: 7,
    max_duration: '1h',
    cache_paths: ['.cache'],
    cache_key: 'k',
    python: '/usr/bin/python3',
  },
})

describe('train options: inputs over mlops.yaml over defaults', () => {
  it('takes everything from the config when no input is given', () => {
    const o = resolveTrainOptions(none, config, 'mlops.yaml', base)
    expect(o).toMatchObject({
      command: 'python train.py',
      workingDirectory: '/ws/ml',
      params: 'params.yaml',
      metrics: 'out/metrics.yaml',
      modelPath: 'out/model.pkl',
      data: ['data/all.csv'],
      seed: 7,
      maxDurationMs: 3_600_000,
      maxDurationText: '1h',
      cachePaths: ['.cache'],
      cacheKey: 'k',
      python: '/usr/bin/python3',
      modelName: 'churn',
    })
  })

  it('lets inputs override the config', () => {
    const o = resolveTrainOptions(
      {
        ...none,
        command: 'make train',
        seed: 0,
        data: ['d.csv'],
        maxDurationMs: 2000,
        maxDurationText: '2s',
      },
      config,
      'mlops.yaml',
      base,
    )
    expect(o).toMatchObject({
      command: 'make train',
      seed: 0,
      data: ['d.csv'],
      maxDurationMs: 2000,
      maxDurationText: '2s',
    })
  })

  it('falls back to the documented defaults without a config', () => {
    const o = resolveTrainOptions({ ...none, command: 'x' }, {}, 'mlops.yaml', base)
    expect(o).toMatchObject({
      workingDirectory: '/ws',
      metrics: 'metrics.json',
      modelPath: 'model',
      seed: 42,
      python: 'python3',
      modelName: 'churn-repo',
      data: [],
    })
    expect(o.maxDurationMs).toBeUndefined()
  })

  it('needs a command from somewhere, and says where to put it', () => {
    expect(() => resolveTrainOptions(none, {}, 'ml/mlops.yaml', base)).toThrow(
      "Input 'command' is required. Set 'command', or train.command in ml/mlops.yaml",
    )
  })
})
