import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { runCost } from '../cost/run-cost.js';
import type { PriceTable } from '../cost/price-table.js';
import { scrubText } from '../logging/redaction.js';
import { runChecks, type ReadinessCheck } from '../observability/health-server.js';
import type { RunRecord, RunStore } from '../runs/run-store.js';
import { streamReport } from '../runs/write-report.js';
import { listSchedules, type ScheduleJobData } from '../schedules/schedules.js';
import { requireAuth, type DashboardCredentials } from './dashboard-auth.js';
import { runPage } from './pages/run-page.js';
import { runsPage } from './pages/runs-page.js';
import { DASHBOARD_CSS } from './pages/layout.js';
import { html } from './html.js';
import { layout } from './pages/layout.js';

export interface DashboardDeps {
  runStore: RunStore;
  imageQueue: Queue;
  scheduleQueue: Queue<ScheduleJobData>;
  /** `/readyz` passes when every one does. */
  checks: Record<string, ReadinessCheck>;
  /** Required on every page when set; undefined serves without authentication (loopback only: see assertSafeToListen). */
  credentials: DashboardCredentials | undefined;
  /**
   * Bull Board's retry, promote, clean and pause buttons. Off by default: a job retried there runs
   * outside its run's accounting, where `polyglyph retry` keeps the run's counts and report right.
   */
  allowJobActions: boolean;
  priceTable: PriceTable;
  logger: Logger;
  /** Runs listed on the front page. Default 50. */
  recentRuns?: number | undefined;
  /** Failed rows listed on a run's page. Default 200. */
  failuresShown?: number | undefined;
}

/**
 * The dashboard: Bull Board for the queues at `/queues`, the runs pages at `/runs`, their JSON at
 * `/api/runs`, reports at `/runs/<id>/report.csv|json`, and `/livez` + `/readyz` for orchestrators
 * (outside authentication: probes carry no credentials, and they reveal only up or down).
 */
export function createDashboardApp(deps: DashboardDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/livez', (_request, response) => {
    response.set('Cache-Control', 'no-store').type('text/plain').send('ok\n');
  });
  app.get('/readyz', async (_request, response) => {
    const checks = await runChecks(deps.checks, 2_000);
    const failed = Object.entries(checks).filter(([, result]) => !result.ok).map(([name]) => name);
    response.set('Cache-Control', 'no-store').status(failed.length === 0 ? 200 : 503).json(failed.length === 0 ? { status: 'ready', checks } : { status: 'unavailable', failed, checks });
  });

  if (deps.credentials) app.use(requireAuth(deps.credentials));
  app.use((_request, response, next) => {
    // Nobody frames the dashboard (clickjacking a retry button), nobody sniffs its types.
    response.set({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });

  app.use('/queues', bullBoard(deps));

  const pages = express.Router();
  pages.use(ownPagePolicy);
  pages.get('/', (_request, response) => response.redirect(302, '/runs'));
  pages.get('/assets/dashboard.css', (_request, response) => {
    response.set('Cache-Control', 'public, max-age=300').type('text/css').send(DASHBOARD_CSS);
  });
  pages.get('/runs', async (_request, response) => {
    const [runs, schedules, jobCounts] = await Promise.all([
      deps.runStore.recent(deps.recentRuns ?? 50),
      listSchedules(deps.scheduleQueue),
      deps.imageQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
    ]);
    // Prioritized jobs are waiting too, only ordered; an operator reads them as waiting.
    const counts = { ...jobCounts, waiting: (jobCounts.waiting ?? 0) + (jobCounts.prioritized ?? 0) };
    sendPage(response, runsPage({ runs, schedules, jobCounts: counts }));
  });
  pages.get('/runs/:id', async (request, response) => {
    const run = await deps.runStore.get(request.params.id);
    if (!run) {
      notFound(response, request.params.id);
      return;
    }
    const failures = await deps.runStore.failures(run.id, deps.failuresShown ?? 200);
    sendPage(response, runPage({ run, failures, cost: runCost(run, deps.priceTable) }));
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
  app.use(pages);
  app.use((request, response) => notFound(response, request.path));
  app.use(errorPage(deps.logger));
  return app;
}

function bullBoard(deps: DashboardDeps): RequestHandler {
  const serverAdapter = new ExpressAdapter().setBasePath('/queues');
  const options = { readOnlyMode: !deps.allowJobActions, allowRetries: deps.allowJobActions };
  createBullBoard({
    queues: [new BullMQAdapter(deps.imageQueue, { ...options, description: 'one job per (message, locale): generate, then upload' }), new BullMQAdapter(deps.scheduleQueue, { ...options, description: 'scheduled scans and manifest runs' })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Polyglyph', miscLinks: [{ text: 'Runs', url: '/runs' }], hideDocsLink: true } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}

/** Our pages run no script at all; the policy says so, so an injected one would not run either. */
const ownPagePolicy: RequestHandler = (_request, response, next) => {
  response.set('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  next();
};

function sendPage(response: Response, page: { value: string }): void {
  response.set('Cache-Control', 'no-store').type('html').send(page.value);
}

function notFound(response: Response, what: string): void {
  response.status(404);
  if (response.req.accepts(['html', 'json']) === 'json') {
    response.json({ error: { code: 'not_found', message: `not found: ${what}` } });
    return;
  }
  sendPage(response, layout({ title: 'Not found', body: html`<h1>Not found</h1><p>No run or page <code>${what}</code> here. <a href="/runs">All runs</a></p>` }));
}

function withCost(run: RunRecord, table: PriceTable): RunRecord & { cost: ReturnType<typeof runCost> } {
  return { ...run, cost: runCost(run, table) };
}

/**
 * Express 5 passes rejected promises from handlers here. Redis being away is the usual cause: the
 * page says so with 503 (the next refresh recovers) instead of a stack trace; anything else is a 500.
 */
function errorPage(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    const message = scrubText(error instanceof Error ? error.message : String(error));
    logger.error({ err: error, path: request.path }, 'dashboard request failed');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const unavailable = isConnectionError(error);
    response
      .status(unavailable ? 503 : 500)
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send(unavailable ? `the dashboard cannot reach Redis right now (${message}); it reconnects by itself, reload in a moment\n` : `internal error: ${message}\n`);
  };
}

/** ioredis's errors while the server is away: refused, reset, closed, or out of retries. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return error.name === 'MaxRetriesPerRequestError' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || /Connection is closed|Stream isn't writeable/.test(error.message);
}
