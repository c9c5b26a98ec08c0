import { describe, expect, it } from 'vitest'
import { evaluate, interpolate, isTruthy, toText } from '../../shared/workflow/expressions.js'
import { parseFileCommand, parseWorkflowCommand } from '../../shared/workflow/file-commands.js'

const contexts = {
  github: {
    event_name: 'pull_request',
    event: { pull_request: { number: 7, labels: [{ name: 'retrain' }] } },
  },
  inputs: { model: 'churn', epochs: 5, 'dry-run': true },
  steps: { train: { outputs: { accuracy: '0.91' }, outcome: 'success', conclusion: 'success' } },
  needs: { prepare: { result: 'success', outputs: { model: 'churn' } } },
  env: { STAGE: 'ci' },
}

describe('expressions', () => {
  it.each([
    ['context access', 'github.event.pull_request.number', 7],
    ['hyphenated input', "inputs['dry-run']", true],
    ['dotted hyphenated input', 'inputs.dry-run', true],
    ['format', "format('{0}-{1}', inputs.model, inputs.epochs)", 'churn-5'],
    ['contains on a filtered array', "contains(github.event.pull_request.labels.*.name, 'retrain')", true],
    ['startsWith, case-insensitive', "startsWith(github.event_name, 'PULL')", true],
    ['fromJSON', 'fromJSON(\'{"a":[1,2]}\').a[1]', 2],
    ['toJSON', 'toJSON(needs.prepare.outputs)', '{\n  "model": "churn"\n}'],
    ['step outputs', "steps.train.outputs.accuracy >= '0.9'", true],
    ['missing values are null', 'steps.nope.outputs.x', null],
    ['escaped quotes, all of them', "format('a ''b'' c ''d''')", "a 'b' c 'd'"],
  ])('%s', (_name, expr, want) => {
    expect(evaluate(expr, contexts)).toEqual(want)
  })

  it.each([
    ['success', 'success()', true, false, false],
    ['failure', 'failure()', false, true, false],
    ['always', 'always()', true, true, true],
    ['cancelled', 'cancelled()', false, false, false],
  ] as const)('status function %s()', (_n, expr, onSuccess, onFailure, onSkipped) => {
    expect(evaluate(expr, {}, { status: 'success' })).toBe(onSuccess)
    expect(evaluate(expr, {}, { status: 'failure' })).toBe(onFailure)
    expect(evaluate(expr, {}, { status: 'skipped' })).toBe(onSkipped)
  })

  it('interpolates expressions in text and coerces values as GitHub does', () => {
    const text = ['model ', '${{ inputs.model }}', ' x', '${{ inputs.epochs }} ', '${{ steps.none }}', '!']
    expect(interpolate(text.join(''), contexts)).toBe('model churn x5 !')
    expect(toText(true)).toBe('true')
    expect(isTruthy('')).toBe(false)
    expect(isTruthy('0')).toBe(true)
    expect(isTruthy(0)).toBe(false)
  })

  it('names the expression when it does not parse or names an unknown context', () => {
    expect(() => evaluate('inputs.model ==', contexts)).toThrow(/invalid expression 'inputs.model =='/)
    expect(() => evaluate('nope.x', contexts)).toThrow(/Unrecognized named-value: 'nope'/)
  })
})

describe('file and workflow commands', () => {
  it('reads name=value and heredoc outputs', () => {
    expect(parseFileCommand('a=1\nmulti<<EOF\nx\ny=z\nEOF\nb=two=2\n')).toEqual({
      a: '1',
      multi: 'x\ny=z',
      b: 'two=2',
    })
  })
  it('reads ::error file=..,line=..::message', () => {
    expect(parseWorkflowCommand('::error file=a.yml,line=3::bad%0Athing')).toEqual({
      command: 'error',
      properties: { file: 'a.yml', line: '3' },
      message: 'bad\nthing',
    })
    expect(parseWorkflowCommand('plain')).toBeUndefined()
  })
})
