import type { Logger } from '../util/logger.js'
import { type CommandOptions, CommandProvider } from './command.js'
import type { KubernetesOptions } from './kubernetes-manifests.js'
import { type NginxOptions, NginxProvider } from './nginx.js'
import type { TrafficProvider } from './provider.js'

export const PROVIDERS = ['nginx', 'command', 'kubernetes'] as const
export type ProviderName = (typeof PROVIDERS)[number]

/** Everything needed to build a provider; plain data, so the post step can rebuild it from the same inputs. */
export type ProviderSpec =
  | ({ readonly provider: 'nginx' } & NginxOptions)
  | ({ readonly provider: 'command' } & CommandOptions)
  | ({ readonly provider: 'kubernetes' } & KubernetesOptions)

export async function createProvider(spec: ProviderSpec, log: Logger): Promise<TrafficProvider> {
  switch (spec.provider) {
    case 'nginx':
      return new NginxProvider(spec, log)
    case 'command':
      return new CommandProvider(spec, log)
    case 'kubernetes': {
      // Loaded only here: @kubernetes/client-node and kubernetes-models stay out of the other paths.
      const { KubernetesProvider } = await import('./kubernetes.js')
      return new KubernetesProvider(spec, log)
    }
  }
}
