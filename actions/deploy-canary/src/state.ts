import * as core from '@actions/core'
import type { TrafficPhase } from '../../../shared/deploy/provider.js'

/**
 * What the post step needs to know, saved by the main step as traffic changes (`core.saveState` writes the
 * runner's state file at once, so it survives the main step being killed). No secrets are saved: the post
 * step rebuilds the provider from the same inputs.
 */
export const State = { Phase: 'canary-phase', Weight: 'canary-weight' } as const

export interface SavedTraffic {
  readonly phase?: TrafficPhase
  readonly weight?: number
}

export const trafficState = {
  save(weight: number, phase: TrafficPhase): void {
    core.saveState(State.Weight, String(weight))
    core.saveState(State.Phase, phase)
  },
  read(): SavedTraffic {
    const phase = core.getState(State.Phase) as TrafficPhase | ''
    const weight = core.getState(State.Weight)
    return { ...(phase ? { phase } : {}), ...(weight ? { weight: Number(weight) } : {}) }
  },
}
