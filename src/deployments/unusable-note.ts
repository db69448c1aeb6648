import { createHash } from 'node:crypto';
import type { Diagnosis } from '../preflight/diagnosis.js';
import type { DeploymentSpec } from './deployment-spec.js';

/**
 * What a worker noted in Redis about a deployment that cannot be used as configured (a refused key,
 * a missing deployment, an endpoint that refuses connections): the diagnosis `polyglyph check` would
 * give, and when. Nothing secret: no key, no token, no URL with a query.
 */
export interface UnusableNote {
  /** Epoch ms of the failure that set the note. */
  at: number;
  diagnosis: Diagnosis;
  /** configFingerprint() of the configuration that failed: a worker with another one may try at once. */
  config: string;
}

/**
 * A short digest of what decides whether a deployment works (URL settings, model, key or scope), so
 * that a fixed configuration is told from the one that failed without storing the key: 64 bits of
 * SHA-256 over several fields, a key among them, say nothing usable about the key.
 */
export function configFingerprint(spec: DeploymentSpec): string {
  const { api } = spec;
  const fields = [api.endpoint, api.gptEndpoint, api.deployment, api.apiVersion, api.apiStyle, api.apiKey, api.entraScope, spec.model, spec.provider];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** A note outlives the breaker's hold by at least this long, so a run polling for it sees it. */
export const UNUSABLE_NOTE_MIN_MS = 60_000;

export function parseUnusableNote(value: string | null): UnusableNote | undefined {
  if (!value) return undefined;
  try {
    const note = JSON.parse(value) as UnusableNote;
    return typeof note.at === 'number' && typeof note.diagnosis?.problem === 'string' ? note : undefined;
  } catch {
    return undefined;
  }
}
