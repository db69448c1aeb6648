import type { DeploymentSpec } from '../deployments/deployment-spec.js';
import { describeProvider } from '../image-api/provider.js';
import { PolyglyphError } from '../errors/polyglyph-error.js';
import { line, type CheckLine, type TargetReport } from './check-report.js';
import { displayUrl, resolveDeployment, type ResolvedDeployment } from './deployment-context.js';
import type { DiagnosisStage } from './diagnosis.js';
import { probeDeployment, type ProbeOptions, type ProbeOutcome } from './probe-deployment.js';
import { quotaProblem } from './quota-figures.js';

const STAGES = ['endpoint', 'auth', 'deployment', 'model'] as const satisfies readonly DiagnosisStage[];
const TITLES: Record<(typeof STAGES)[number], string> = { endpoint: 'endpoint reachable', auth: 'authentication', deployment: 'deployment exists', model: 'serves the model' };

export interface DeploymentCheck {
  report: TargetReport;
  /** Set when the deployment resolved and its free checks passed: --generate may spend on it. */
  usable?: ResolvedDeployment | undefined;
}

/** Every free check of one deployment: endpoint, authentication, deployment, model, quota. */
export async function checkDeployment(spec: DeploymentSpec, fromFile: boolean, options: ProbeOptions = {}): Promise<DeploymentCheck> {
  const about: Record<string, string | number> = { model: spec.model, provider: describeProvider(spec.provider), imagesPerMinute: spec.imagesPerMinute };
  let resolved: ResolvedDeployment;
  try {
    resolved = resolveDeployment(spec, fromFile);
  } catch (error) {
    if (!(error instanceof PolyglyphError)) throw error;
    return { report: { kind: 'deployment', name: spec.name, about, checks: [line('configuration', 'fail', error.message, { fix: error.hint })] } };
  }
  Object.assign(about, { endpoint: displayUrl(resolved.url), auth: resolved.context.auth.kind === 'key' ? 'key' : `Entra ID (${resolved.context.auth.scope})` });
  const outcome = await probeDeployment(resolved, options);
  const checks = [...probeLines(resolved, outcome), quotaLine(spec)];
  const usable = checks.some((check) => check.status === 'fail') ? undefined : resolved;
  return { report: { kind: 'deployment', name: spec.name, about, checks }, usable };
}

function probeLines(deployment: ResolvedDeployment, outcome: ProbeOutcome): CheckLine[] {
  const { context } = deployment;
  const proven: Record<(typeof STAGES)[number], string> = {
    endpoint: `${context.host} answered`,
    auth: context.auth.kind === 'key' ? 'the key was accepted' : `the Entra ID token for ${context.auth.scope} was accepted`,
    deployment: `'${context.deployment}' answered`,
    model: `accepted '${deployment.bodyModel}' as the body's model (Azure refuses a name that is no model, such as a deployment name)`,
  };
  if (outcome.kind === 'failed') {
    const { diagnosis } = outcome;
    if (diagnosis.stage === 'service') {
      // A 429 or a 5xx came from the deployment itself: reachable and authorised, the rest unproven.
      return [
        line(TITLES.endpoint, 'ok', proven.endpoint),
        line(TITLES.auth, 'ok', proven.auth),
        line(TITLES.deployment, diagnosis.kind === 'rate-limited' ? 'ok' : 'warn', diagnosis.kind === 'rate-limited' ? proven.deployment : diagnosis.problem, {
          fix: diagnosis.kind === 'rate-limited' ? undefined : diagnosis.fix,
          diagnosis: diagnosis.kind,
        }),
        line(TITLES.model, 'warn', `not proven: ${diagnosis.problem}`, { fix: 'run `polyglyph check` again later', diagnosis: diagnosis.kind }),
      ];
    }
    const failed = diagnosis.stage;
    const failedAt = STAGES.indexOf(failed);
    return STAGES.map((stage, index) =>
      index < failedAt
        ? line(TITLES[stage], 'ok', proven[stage])
        : index === failedAt
          ? line(TITLES[stage], 'fail', diagnosis.problem, { fix: diagnosis.fix, diagnosis: diagnosis.kind })
          : line(TITLES[stage], 'skip', `not checked: ${TITLES[failed]} failed`),
    );
  }
  const lines = [line(TITLES.endpoint, 'ok', proven.endpoint), line(TITLES.auth, 'ok', proven.auth)];
  if (deployment.spec.provider === 'mai' && outcome.kind === 'refused-as-expected') {
    lines.push(line(TITLES.deployment, 'skip', 'not proven without spending: MAI checks the request body before the deployment; `--generate` proves it'));
  } else {
    lines.push(line(TITLES.deployment, 'ok', proven.deployment));
  }
  if (outcome.kind === 'refused-otherwise') {
    lines.push(
      line(TITLES.model, 'warn', `the probe was refused for another reason than the one it was built for: ${outcome.message}`, {
        fix: '`polyglyph check --generate` proves the whole path with one low-quality image',
      }),
    );
  } else if (context.style === 'deployment') {
    lines.push(line(TITLES.model, 'ok', proven.model));
  } else {
    lines.push(
      line(
        TITLES.model,
        'skip',
        `the ${context.style === 'v1' ? 'v1' : 'MAI'} API takes the deployment name as the model, and Azure has no data-plane call that says which model a deployment serves; \`--generate\` proves the path`,
      ),
    );
  }
  if (outcome.kind === 'generated') {
    lines.push(
      line('probe', 'warn', 'the refused-on-purpose request was accepted: one low-quality image was generated and paid for', {
        fix: 'nothing to fix; please report it, the probe needs another refusal',
      }),
    );
  }
  return lines;
}

function quotaLine(spec: DeploymentSpec): CheckLine {
  const problem = quotaProblem(spec.imagesPerMinute, spec.model, spec.provider);
  if (problem) return line('quota plausible', 'warn', problem.problem, { fix: problem.fix });
  return line('quota plausible', 'ok', `${spec.imagesPerMinute} images/min`);
}
