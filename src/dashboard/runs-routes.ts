import { isRunOpen } from '../runs/run-state.js';
import express, { type RequestHandler, type Router } from 'express';
import { runCost } from '../cost/run-cost.js';
import type { PriceTable } from '../cost/price-table.js';
import type { RunRecord } from '../runs/run-store.js';
import { streamReport } from '../runs/write-report.js';
import { listSchedules } from '../schedules/schedules.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { notFound, sendPage } from './respond.js';
import { DASHBOARD_CSS } from './pages/layout.js';
import { runPage } from './pages/run-page.js';
import { GALLERY_CSS } from './pages/gallery-page.js';
import { runsPage } from './pages/runs-page.js';

/** The runs pages (`/runs`, `/runs/<id>`), their reports and JSON (`/api/runs`), and the stylesheet. */
export function runsRouter(deps: DashboardDeps): Router {
  const pages = express.Router();
  pages.use(ownPagePolicy);
  pages.get('/', (_request, response) => response.redirect(302, '/runs'));
  pages.get('/assets/dashboard.css', (_request, response) => {
    response
      .set('Cache-Control', 'public, max-age=300')
      .type('text/css')
      .send(DASHBOARD_CSS + GALLERY_CSS);
  });
  pages.get('/runs', async (_request, response) => {
    const [runs, schedules, jobCounts, deployments] = await Promise.all([
      deps.runStore.recent(deps.recentRuns ?? 50),
      listSchedules(deps.scheduleQueue),
      deps.imageQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
      deps.deployments(),
    ]);
    // Prioritized jobs are waiting too, only ordered; an operator reads them as waiting.
    const counts = { ...jobCounts, waiting: (jobCounts.waiting ?? 0) + (jobCounts.prioritized ?? 0) };
    sendPage(response, runsPage({ runs, schedules, jobCounts: counts, deployments }));
  });
  pages.get('/runs/:id', async (request, response) => {
    const run = await deps.runStore.get(request.params.id);
    if (!run) {
      notFound(response, request.params.id);
      return;
    }
    const [failures, pace] = await Promise.all([deps.runStore.failures(run.id, deps.failuresShown ?? 200), isRunOpen(run) ? deps.pace?.(run) : undefined]);
    sendPage(response, runPage({ run, failures, cost: runCost(run, deps.priceTable), pace }));
  });
  pages.get('/runs/:id/report.:format', async (request, response) => {
    const format = request.params.format;
    const run = await deps.runStore.get(request.params.id);
    if (!run || (format !== 'csv' && format !== 'json')) {
      notFound(response, request.params.id);
      return;
    }
    response.set({ 'Content-Disposition': `attachment; filename="${run.id}.${format}"`, 'Cache-Control': 'no-store' });
    response.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    await streamReport(deps.runStore, run, format, response);
    response.end();
  });
  pages.get('/api/deployments', async (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ deployments: await deps.deployments() });
  });
  pages.get('/api/runs', async (_request, response) => {
    const runs = await deps.runStore.recent(deps.recentRuns ?? 50);
    response.set('Cache-Control', 'no-store').json({ runs: runs.map((run) => withCost(run, deps.priceTable)) });
  });
  pages.get('/api/runs/:id', async (request, response) => {
    const run = await deps.runStore.get(request.params.id);
    if (!run) {
      response.status(404).json({ error: { code: 'run_not_found', message: `no run '${request.params.id}' in this queue` } });
      return;
    }
    const failures = await deps.runStore.failures(run.id, deps.failuresShown ?? 200);
    response.set('Cache-Control', 'no-store').json({ ...withCost(run, deps.priceTable), failures: failures.rows, failuresTotal: failures.total });
  });
  return pages;
}

/** Our pages run no script at all; the policy says so, so an injected one would not run either. */
const ownPagePolicy: RequestHandler = (_request, response, next) => {
  response.set('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  next();
};

function withCost(run: RunRecord, table: PriceTable): RunRecord & { cost: ReturnType<typeof runCost> } {
  return { ...run, cost: runCost(run, table) };
}
