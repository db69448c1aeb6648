import type { DeploymentPool } from '../deployments/deployment-pool.js';
import type { TargetReport } from '../preflight/check-report.js';
import { checkDeployment } from '../preflight/check-deployment.js';

/** A run none of whose deployments can serve one of its models, with what `polyglyph check` says of them. */
export interface BlockedRun {
  model: string;
  reports: TargetReport[];
}

export interface BlockedRunWatchOptions {
  /** Notes older than this (an earlier run, another configuration) are not this run's business. */
  sinceMs: number;
  deploymentsFromFile: boolean;
  fetch?: typeof fetch | undefined;
}

/**
 * For `run` (issue 13, defect 3): when every deployment serving one of the run's models has been noted
 * unusable by a worker (401/403/404, an endpoint that refuses: see jobs/generate-image.ts), the run
 * cannot finish, and waiting behind a breaker that doubles to 32 minutes only hides it. This confirms
 * it with `polyglyph check`'s free probe of those deployments (so a blip that has passed does not stop
 * the run) and returns their reports; undefined while the run can go on.
 */
export async function findBlockedRun(pool: DeploymentPool, models: readonly string[], options: BlockedRunWatchOptions): Promise<BlockedRun | undefined> {
  const notes = await pool.unusable();
  if (notes.size === 0) return undefined;
  for (const model of models) {
    const serving = pool.serving(model);
    const allNoted = serving.length > 0 && serving.every((member) => (notes.get(member.spec.name)?.at ?? -1) >= options.sinceMs);
    if (!allNoted) continue;
    const checks = await Promise.all(serving.map((member) => checkDeployment(member.spec, options.deploymentsFromFile, { fetch: options.fetch })));
    const confirmed = checks.every((check) => check.report.checks.some((line) => line.status === 'fail'));
    if (confirmed) return { model, reports: checks.map((check) => check.report) };
    // The probe went through: the failure has passed. Forget the notes of those that passed; their
    // breakers let a trial request through when their hold ends.
    await Promise.all(serving.filter((_, index) => !checks[index]!.report.checks.some((line) => line.status === 'fail')).map((member) => pool.clearUnusable(member)));
  }
  return undefined;
}
