/** The Redis keys of one deployment's shared state; the pool writes them, the dashboard reads them. */
export type DeploymentKeyPart = 'tat' | 'failures' | 'trips' | 'images' | 'rate-limited' | 'paused' | 'learned' | 'unusable' | 'trial';

export function deploymentKey(keyBase: string, name: string, part: DeploymentKeyPart): string {
  return `${keyBase}:deployment:${name}:${part}`;
}

/** Hash of the deployments workers have registered: name -> DeploymentInfo (JSON). */
export function deploymentRegistryKey(keyBase: string): string {
  return `${keyBase}:deployments`;
}

/** How often a worker repeats its registration, so the dashboard can tell deployments nobody serves any more. */
export const REGISTRATION_INTERVAL_MS = 60_000;

/** What a worker registers of a deployment: nothing secret (no endpoint, no key). */
export interface DeploymentInfo {
  name: string;
  model: string;
  provider: string;
  imagesPerMinute: number;
  /** When a running worker with this deployment last said so (ms; workers repeat it every REGISTRATION_INTERVAL_MS). */
  seenAt: number;
}
