import express, { type Router } from 'express';
import { InputError, PolyglyphError } from '../errors/polyglyph-error.js';
import type { ReportRow } from '../runs/report-row.js';
import type { ReviewDecision } from '../runs/run-reviews.js';
import type { RunRecord } from '../runs/run-store.js';
import { markReview, readImage } from '../storage/review-marks.js';
import { CsrfTokens } from './csrf-token.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { galleryPage, type GalleryRow } from './pages/gallery-page.js';
import { notFound, sendPage } from './respond.js';
import { ThumbnailCache } from './thumbnail-cache.js';

/** How long a run's list of images is reused to check image requests against it. */
const ROWS_CACHE_MS = 10_000;

/**
 * The review gallery of a run (`/runs/<id>/gallery`), its images (`/runs/<id>/images/thumb|full?blob=`,
 * read from storage with the dashboard's own credentials: only blobs of that run's report, never a
 * storage URL in the page) and the reviewers' decisions (`POST /runs/<id>/review`, CSRF token).
 */
export function galleryRouter(deps: DashboardDeps): Router {
  const router = express.Router();
  const csrf = new CsrfTokens();
  const thumbnails = new ThumbnailCache();
  const rowsCache = new Map<string, { at: number; rows: GalleryRow[] }>();
  const runRows = async (runId: string, fresh = false): Promise<GalleryRow[]> => {
    const cached = rowsCache.get(runId);
    if (!fresh && cached && Date.now() - cached.at < ROWS_CACHE_MS) return cached.rows;
    const rows: GalleryRow[] = [];
    for await (const row of deps.runStore.rows(runId)) rows.push(row);
    rowsCache.set(runId, { at: Date.now(), rows });
    if (rowsCache.size > 50) rowsCache.delete(rowsCache.keys().next().value!);
    return rows;
  };
  const imageOf = async (runId: string, blob: unknown): Promise<ReportRow | undefined> => {
    if (typeof blob !== 'string' || blob === '') return undefined;
    const find = (rows: GalleryRow[]): GalleryRow | undefined => rows.find((row) => row.blobName === blob && row.status !== 'failed');
    // A variant made moments ago is not in the cached list yet: look again before saying no.
    return find(await runRows(runId)) ?? find(await runRows(runId, true));
  };

  router.get('/runs/:id/gallery', async (request, response) => {
    const run = await deps.runStore.get(request.params.id);
    if (!run) {
      notFound(response, request.params.id);
      return;
    }
    const query = request.query;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    sendPage(
      response,
      galleryPage({
        run,
        rows: await runRows(run.id, true),
        reviews: await deps.runStore.reviews(run.id),
        filters: { locale: text(query.locale), status: text(query.status), review: text(query.review), needsReview: query.needs_review === '1' },
        csrfToken: csrf.token(run.id),
        canRerender: deps.rerender !== undefined,
        notice: text(query.notice),
      }),
    );
  });

  router.get('/runs/:id/images/:kind', async (request, response) => {
    const kind = request.params.kind;
    const store = deps.blobStore;
    const row = kind === 'thumb' || kind === 'full' ? await imageOf(request.params.id, request.query.blob) : undefined;
    if (!row || !store) {
      notFound(response, `${request.params.id} image`);
      return;
    }
    // Blob names derive from the inputs and are never overwritten: the bytes behind one never change.
    response.set('Cache-Control', 'private, max-age=86400, immutable');
    if (kind === 'thumb') {
      response.type('image/webp').send(await thumbnails.get(row.blobName, async () => (await readImage(store, row.blobName)).bytes));
      return;
    }
    const image = await readImage(store, row.blobName);
    response.type(image.contentType).send(image.bytes);
  });

  router.post('/runs/:id/review', express.urlencoded({ extended: false, limit: '8kb' }), async (request, response) => {
    const run = await deps.runStore.get(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!run) {
      notFound(response, request.params.id);
      return;
    }
    if (!csrf.verify(run.id, body.csrf)) {
      response.status(403).set('Cache-Control', 'no-store').type('text/plain').send('refused: the form is stale or did not come from this dashboard (CSRF token); reload the gallery and try again\n');
      return;
    }
    const decision = body.decision;
    const row = await imageOf(run.id, body.blob);
    if ((decision !== 'approved' && decision !== 'rejected') || !row) {
      response.status(400).set('Cache-Control', 'no-store').type('text/plain').send('expected decision=approved|rejected and the blob of an image of this run\n');
      return;
    }
    const notice = await review(deps, run, row, decision, request.headers.authorization);
    rowsCache.delete(run.id);
    response.redirect(303, `/runs/${encodeURIComponent(run.id)}/gallery?notice=${encodeURIComponent(notice)}`);
  });
  return router;
}

/** Records the decision in the run, on the blob (metadata and tag); a rejection renders a new variant. */
async function review(deps: DashboardDeps, run: RunRecord, row: ReportRow, decision: ReviewDecision, authorization: string | undefined): Promise<string> {
  await deps.runStore.saveReview(run.id, row.blobName, { decision, at: Date.now(), by: reviewer(authorization) });
  if (deps.blobStore) await markReview(deps.blobStore, row.blobName, decision);
  const what = `${row.id} ${row.locale} v${row.variant}`;
  if (decision === 'approved') return `${what} approved`;
  if (!deps.rerender) return `${what} rejected (this dashboard cannot render a new variant: run \`polyglyph retry\` or a new run)`;
  try {
    const { variant } = await deps.rerender(run, row);
    return `${what} rejected; v${variant} is being rendered`;
  } catch (error) {
    // A refusal (budget, manifest gone, ten variants) is the reviewer's to read, not a 500.
    if (error instanceof PolyglyphError || error instanceof InputError) return `${what} rejected; no new variant: ${error.message}`;
    throw error;
  }
}

/** The basic-auth user, for the record; a bearer token names no one. */
function reviewer(authorization: string | undefined): string {
  const [scheme = '', value = ''] = (authorization ?? '').split(/\s+/, 2);
  if (scheme.toLowerCase() !== 'basic') return scheme ? 'token' : 'anonymous';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':'))).slice(0, 64) || 'unknown';
}
