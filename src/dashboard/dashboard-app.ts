import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import { scrubText } from '../logging/redaction.js';
import { readiness } from '../observability/health-server.js';
import { bullBoardRouter } from './bull-board.js';
import { requireAuth } from './dashboard-auth.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { notFound } from './respond.js';
import { hostGuard, sameOriginGuard } from './request-guards.js';
import { runsRouter } from './runs-routes.js';
import { galleryRouter } from './gallery-routes.js';
import { isRedisConnectionError } from '../redis/connection-errors.js';

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
    const { ready, body } = await readiness(deps.checks, 2_000);
    response
      .set('Cache-Control', 'no-store')
      .status(ready ? 200 : 503)
      .json(body);
  });

  // Before authentication: a rebinding page gets no challenge either. After the probes: they reveal
  // only up or down, and an orchestrator may address them by any name.
  app.use(hostGuard({ listenHost: deps.listenHost, allowedHosts: deps.allowedHosts }));
  if (deps.credentials) app.use(requireAuth(deps.credentials));
  // Cross-site request forgery: every mutating route, Bull Board's included, only from our own pages.
  app.use(sameOriginGuard);
  app.use((_request, response, next) => {
    // Nobody frames the dashboard (clickjacking a retry button), nobody sniffs its types.
    response.set({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });

  app.use('/queues', bullBoardRouter(deps));

  app.use(runsRouter(deps));
  app.use(galleryRouter(deps));
  app.use((request, response) => notFound(response, request.path));
  app.use(errorPage(deps.logger));
  return app;
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
    const unavailable = isRedisConnectionError(error);
    response
      .status(unavailable ? 503 : 500)
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send(unavailable ? `the dashboard cannot reach Redis right now (${message}); it reconnects by itself, reload in a moment\n` : `internal error: ${message}\n`);
  };
}
