import { MlopsError } from '../errors.js'

/**
 * A traffic provider moves live traffic between the stable and the canary version of a model. The canary
 * loop (`canary.ts`) only talks to this interface, so nginx, user commands and Kubernetes are
 * interchangeable, and unit tests use an in-memory fake.
 *
 * Weights are whole percentages of traffic sent to the canary; the stable version gets the rest.
 */
export interface TrafficProvider {
  /** Short name for logs and the summary (`nginx`, `command`, `kubernetes`). */
  readonly name: string
  /** Checks the provider can work (binaries, files, API access) before any traffic moves. Optional. */
  prepare?(): Promise<void>
  /** Sends `canaryWeight` % of traffic to the canary (0-100). Must be idempotent. */
  setWeight(canaryWeight: number): Promise<void>
  /** Makes the canary the new stable: it serves 100 % of traffic from now on. */
  promote(): Promise<void>
  /** Returns 100 % of traffic to stable. Must be safe to call more than once, and from a fresh process. */
  rollback(): Promise<void>
  /** What the provider has applied, as far as it can tell. */
  state(): Promise<TrafficState>
}

export type TrafficPhase = 'stable' | 'progressing' | 'promoted' | 'rolled-back'

export interface TrafficState {
  readonly canaryWeight: number
  readonly phase: TrafficPhase
}

/** A provider could not apply a change; the message says which change and what the backend answered. */
export class ProviderError extends MlopsError {}

/** Weights must be whole percentages. */
export function checkWeight(w: number): number {
  if (!Number.isInteger(w) || w < 0 || w > 100)
    throw new ProviderError(`canary weight must be a whole percentage from 0 to 100; got ${w}`)
  return w
}
