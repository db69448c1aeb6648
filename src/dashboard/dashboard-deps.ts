import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { PriceTable } from '../cost/price-table.js';
import type { DeploymentUsage } from '../deployments/deployment-usage.js';
import type { ReadinessCheck } from '../observability/health-server.js';
import type { ReportRow } from '../runs/report-row.js';
import type { RunRecord, RunStore } from '../runs/run-store.js';
import type { EtaPace } from '../runs/workers-pace.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { ScheduleJobData } from '../schedules/schedules.js';
import type { DashboardCredentials } from './dashboard-auth.js';

/** What the dashboard reads and how it behaves; start-dashboard.ts builds it from the configuration. */
export interface DashboardDeps {
  runStore: RunStore;
  imageQueue: Queue;
  scheduleQueue: Queue<ScheduleJobData>;
  /** Quota use per deployment, as the workers count it in Redis. */
  deployments: () => Promise<DeploymentUsage[]>;
  /** The pace the running workers keep for a run (their registered quotas), for its ETA; undefined: the recorded one. */
  pace?: ((run: RunRecord) => Promise<EtaPace | undefined>) | undefined;
  /** `/readyz` passes when every one does. */
  checks: Record<string, ReadinessCheck>;
  /** Required on every page when set; undefined serves without authentication (loopback only: see assertSafeToListen). */
  credentials: DashboardCredentials | undefined;
  /**
   * Bull Board's retry, promote, clean and pause buttons. Off by default: a job retried there runs
   * outside its run's accounting, where `polyglyph retry` keeps the run's counts and report right.
   */
  allowJobActions: boolean;
  /** The interface it listens on; requests must name it, loopback or an allowed host (request-guards.ts). */
  listenHost: string;
  /** Further host names it answers to (behind a reverse proxy). */
  allowedHosts?: readonly string[] | undefined;
  priceTable: PriceTable;
  /** The image container, read with the dashboard's own credentials for the review gallery; absent: no images shown. */
  blobStore?: BlobStore | undefined;
  /** Renders one more variant of a rejected image through the run's retry path (budget-checked); absent: reject only records. */
  rerender?: ((run: RunRecord, row: ReportRow) => Promise<{ variant: number }>) | undefined;
  logger: Logger;
  /** Runs listed on the front page. Default 50. */
  recentRuns?: number | undefined;
  /** Failed rows listed on a run's page. Default 200. */
  failuresShown?: number | undefined;
}
