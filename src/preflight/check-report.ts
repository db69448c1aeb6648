import type { DiagnosisKind } from './diagnosis.js';

/** `skip`: not checked (an earlier check failed, or it cannot be checked without spending). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `polyglyph check`: what was checked, how it went, and the fix when it did not. */
export interface CheckLine {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string | undefined;
  /** The diagnosis behind a failure or warning, as a stable word for scripts (`--json`). */
  diagnosis?: DiagnosisKind | StorageDiagnosisKind | undefined;
}

export type StorageDiagnosisKind =
  | 'not-configured'
  | 'dns'
  | 'refused'
  | 'tls'
  | 'timeout'
  | 'unreachable'
  | 'wrong-key'
  | 'no-credential'
  | 'not-authorised'
  | 'missing-permission'
  | 'missing-tags-permission'
  | 'missing-filter-permission'
  | 'container-not-found'
  | 'mismatch'
  | 'unexpected';

/** Everything checked about one deployment, or about the storage account. */
export interface TargetReport {
  kind: 'deployment' | 'storage';
  name: string;
  /** Model, provider, endpoint and auth of a deployment; account and container of storage. No credential. */
  about: Record<string, string | number>;
  checks: CheckLine[];
}

export interface CheckReport {
  targets: TargetReport[];
  /** With --generate: what the images were priced at before they were asked for. */
  generate?: { images: number; priceMicros: number | undefined; unpricedModels: string[]; priceSource: string | undefined } | undefined;
  failures: number;
  warnings: number;
  exitCode: 0 | 2;
}

export function line(check: string, status: CheckStatus, detail: string, extra: { fix?: string | undefined; diagnosis?: CheckLine['diagnosis'] } = {}): CheckLine {
  return { check, status, detail, ...(extra.fix ? { fix: extra.fix } : {}), ...(extra.diagnosis ? { diagnosis: extra.diagnosis } : {}) };
}

/** Counts failures and warnings and decides the exit code: 2 when anything failed, else 0. */
export function summarise(targets: TargetReport[], generate?: CheckReport['generate']): CheckReport {
  const all = targets.flatMap((target) => target.checks);
  const failures = all.filter((check) => check.status === 'fail').length;
  const warnings = all.filter((check) => check.status === 'warn').length;
  return { targets, ...(generate ? { generate } : {}), failures, warnings, exitCode: failures > 0 ? 2 : 0 };
}
