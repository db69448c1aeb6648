import { createHmac } from 'node:crypto';
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
  /** configFingerprint() of the configuration that failed (keyed: see there): a worker with another one may try at once. */
  config: string;
}

/**
 * A digest of what decides whether a deployment works (URL settings, model, key or scope), so that a
 * fixed configuration is told from the one that failed without storing the key. An HMAC keyed by a
 * secret that never leaves this machine (fingerprint-secret.ts), not a plain hash: the other fields
 * are not secret, so a plain hash of them and the key would let anyone who reads Redis test guesses
 * of the key offline (against a leaked key list, or a weak key). Without the secret the note says
 * nothing about the key. 128 bits, so two configurations never share one by chance.
 */
export function configFingerprint(spec: DeploymentSpec, secret: Buffer): string {
  const { api } = spec;
  const fields = [api.endpoint, api.gptEndpoint, api.deployment, api.apiVersion, api.apiStyle, api.apiKey, api.entraScope, spec.model, spec.provider];
  return createHmac('sha256', secret).update(JSON.stringify(fields)).digest('hex').slice(0, 32);
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
