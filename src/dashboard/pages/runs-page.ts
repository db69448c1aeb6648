import { describeDeploymentState, USAGE_WINDOW_MINUTES, type DeploymentCondition, type DeploymentUsage } from '../../deployments/deployment-usage.js';
import { html, type SafeHtml } from '../html.js';
import { isRunOpen, runState } from '../../runs/run-state.js';
import type { LocaleProgress, RunRecord } from '../../runs/run-store.js';
import type { ScheduleInfo } from '../../schedules/schedules.js';
import { formatTimestamp } from '../../runs/format-time.js';
import { progressBar, stateBadge } from './format.js';
import { layout } from './layout.js';

export interface RunsPageData {
  runs: RunRecord[];
  schedules: ScheduleInfo[];
  /** Counts of the image queue by state, for the line above the table. */
  jobCounts: Record<string, number>;
  deployments: DeploymentUsage[];
}

/** Recent runs, newest first, each with its progress per locale; then the schedules. */
export function runsPage(data: RunsPageData): SafeHtml {
  const counts = ['waiting', 'active', 'delayed', 'failed'].map((state) => html`<span>${state} <b class="mono" data-count="${state}">${data.jobCounts[state] ?? 0}</b></span>`);
  const body = html`<h1>Overview</h1>
<p class="chips" aria-label="image queue">image queue: ${counts}</p>
<h2>Deployments</h2>
${data.deployments.length === 0 ? html`<p class="empty">No worker has registered a deployment yet: start <code>polyglyph worker</code>.</p>` : deploymentTable(data.deployments)}
<h2>Runs</h2>
${data.runs.length === 0 ? html`<p class="empty">No runs yet: start one with <code>polyglyph enqueue manifest.csv</code>, or drop a manifest into the drop prefix.</p>` : runTable(data.runs)}
<h2>Schedules</h2>
${data.schedules.length === 0 ? html`<p class="empty">No schedules: <code>polyglyph schedule add nightly --cron "0 2 * * *" --scan</code></p>` : scheduleTable(data.schedules)}`;
  return layout({ title: 'Overview', body, refreshSeconds: data.runs.some(isRunOpen) ? 5 : undefined });
}

function runTable(runs: RunRecord[]): SafeHtml {
  const rows = runs.map((run) => {
    const locales = Object.entries(run.locales).sort(([a], [b]) => a.localeCompare(b));
    return html`<tr data-run="${run.id}">
<td><a class="mono" href="/runs/${encodeURIComponent(run.id)}">${run.id}</a></td>
<td>${stateBadge(runState(run), run.itemsFailed)}</td>
<td>${progressBar(run.imagesCreated + run.imagesExisting, run.imagesPlanned, run.itemsFailed + run.itemsCancelled)}</td>
<td class="num">${run.imagesCreated}</td>
<td class="num">${run.imagesExisting}</td>
<td class="num${run.itemsFailed > 0 ? ' failed' : ''}">${run.itemsFailed}</td>
<td class="chips">${locales.map(([code, p]) => localeChip(code, p))}</td>
<td class="mono">${formatTimestamp(run.startedAt)}</td>
<td>${run.manifest}<div class="muted">${run.origin}</div></td>
</tr>`;
  });
  return html`<table id="runs">
<thead><tr><th>Run</th><th>State</th><th>Images</th><th class="num">Created</th><th class="num">Existing</th><th class="num">Failed items</th><th>Per locale</th><th>Started</th><th>Manifest</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function deploymentTable(deployments: DeploymentUsage[]): SafeHtml {
  const rows = deployments.map(
    (d) => html`<tr data-deployment="${d.name}">
<td>${d.name}</td>
<td>${d.model}</td>
<td class="num">${d.imagesPerMinute}</td>
<td><meter min="0" max="${d.imagesPerMinute}" optimum="${d.imagesPerMinute}" value="${Math.min(d.imagesLast60s, d.imagesPerMinute)}"></meter> <span class="mono">${formatRate(d.imagesLast60s)} · ${Math.round(d.utilisation * 100)}% of quota</span></td>
<td class="num">${formatRate(d.imagesPerMinuteRecent)}</td>
<td class="num${d.rateLimitedRecent > 0 ? ' failed' : ''}">${d.rateLimitedRecent}</td>
<td>${deploymentState(d)}</td>
</tr>`,
  );
  return html`<table id="deployments">
<thead><tr><th>Deployment</th><th>Model</th><th class="num">Quota/min</th><th>Images, last 60 s</th><th class="num">Per min, last ${USAGE_WINDOW_MINUTES} min</th><th class="num">429s, ${USAGE_WINDOW_MINUTES} min</th><th>State</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

const CONDITION_CLASS: Record<DeploymentCondition, string> = {
  'taking-work': 'state-finished',
  paused: 'state-cancelling',
  'half-open': 'state-cancelling',
  failing: 'state-failures',
  unserved: 'state-cancelled',
};

function deploymentState(d: DeploymentUsage): SafeHtml {
  const { condition, text } = describeDeploymentState(d);
  return html`<span class="state ${CONDITION_CLASS[condition]}" data-condition="${condition}">${text}</span>`;
}

function formatRate(perMinute: number): string {
  return perMinute >= 10 ? perMinute.toFixed(0) : perMinute.toFixed(1);
}

function scheduleTable(schedules: ScheduleInfo[]): SafeHtml {
  return html`<table id="schedules">
<thead><tr><th>Name</th><th>Cron</th><th>Time zone</th><th>Does</th><th>Next</th></tr></thead>
<tbody>${schedules.map((s) => html`<tr><td>${s.name}</td><td class="mono">${s.cron}</td><td>${s.tz ?? "scheduler's"}</td><td>${s.kind === 'scan' ? 'scan the drop location' : html`run <code>${s.manifest ?? ''}</code>`}</td><td class="mono">${formatTimestamp(s.next)}</td></tr>`)}</tbody>
</table>`;
}

/**
 * `ja 2/3 · 1 failed`: images stored (made or found) of those planned, then what was given up, so a
 * cancelled or failing locale never reads as complete. Older runs count every resolved image.
 */
function localeChip(code: string, p: LocaleProgress): SafeHtml {
  if (p.created === undefined) return html`<span title="${p.itemsFailed} failed">${code} ${p.images}/${p.planned}</span>`;
  const stored = p.created + (p.existing ?? 0);
  return html`<span class="${p.imagesFailed ? 'failed' : ''}">${code} ${stored}/${p.planned}${p.imagesFailed ? ` · ${p.imagesFailed} failed` : ''}${p.imagesCancelled ? ` · ${p.imagesCancelled} cancelled` : ''}</span>`;
}
