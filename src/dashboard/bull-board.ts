import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import type { DashboardDeps } from './dashboard-deps.js';

/** Bull Board at `/queues` for the image queue and the schedules queue; read-only unless job actions are allowed. */
export function bullBoardRouter(deps: Pick<DashboardDeps, 'imageQueue' | 'scheduleQueue' | 'allowJobActions'>): RequestHandler {
  const serverAdapter = new ExpressAdapter().setBasePath('/queues');
  const options = { readOnlyMode: !deps.allowJobActions, allowRetries: deps.allowJobActions };
  createBullBoard({
    queues: [
      new BullMQAdapter(deps.imageQueue, { ...options, description: 'one job per (message, locale): generate, then upload' }),
      new BullMQAdapter(deps.scheduleQueue, { ...options, description: 'scheduled scans and manifest runs' }),
    ],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Polyglyph', miscLinks: [{ text: 'Runs', url: '/runs' }], hideDocsLink: true } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}
