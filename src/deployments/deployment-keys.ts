/** The Redis keys of one deployment's shared state; the pool writes them, the dashboard reads them. */
export type DeploymentKeyPart = 'tat' | 'failures' | 'trips' | 'images' | 'rate-limited' | 'paused';

export function deploymentKey(keyBase: string, name: string, part: DeploymentKeyPart): string {
  return `${keyBase}:deployment:${name}:${part}`;
}

/** Hash of the deployments workers have registered: name -> DeploymentInfo (JSON). */
export function deploymentRegistryKey(keyBase: string): string {
  return `${keyBase}:deployments`;
}

/** What a worker registers of a deployment: nothing secret (no endpoint, no key). */
export interface DeploymentInfo {
  name: string;
  model: string;
  provider: string;
  imagesPerMinute: number;
  /** When a worker with this deployment last started (ms). */
  registeredAt: number;
}
