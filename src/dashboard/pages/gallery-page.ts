import { LOCALE_CODES } from '../../locales/registry.js';
import type { ReportRow } from '../../runs/report-row.js';
import type { ImageReview } from '../../runs/run-reviews.js';
import type { RunRecord } from '../../runs/run-store.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from './layout.js';

/** A report row with the text check's fields (src/text-check), present once an image was read back. */
export type GalleryRow = ReportRow & { textStatus?: string; textCer?: number | ''; textEngine?: string; expectedText?: string; readText?: string };

export interface GalleryFilters {
  locale?: string | undefined;
  status?: string | undefined;
  review?: string | undefined;
  needsReview?: boolean | undefined;
}

export interface GalleryPageData {
  run: RunRecord;
  rows: GalleryRow[];
  reviews: ReadonlyMap<string, ImageReview>;
  filters: GalleryFilters;
  csrfToken: string;
  /** False when this dashboard cannot re-render (no manifest defaults): reject still records. */
  canRerender: boolean;
  notice?: string | undefined;
}

const imageUrl = (runId: string, blob: string, kind: 'thumb' | 'full'): string => `/runs/${encodeURIComponent(runId)}/images/${kind}?blob=${encodeURIComponent(blob)}`;

/** Does a row pass the filters? Exported for the routes' count line. */
export function matches(row: GalleryRow, reviews: ReadonlyMap<string, ImageReview>, filters: GalleryFilters): boolean {
  if (filters.locale && row.locale !== filters.locale) return false;
  if (filters.status && row.status !== filters.status) return false;
  if (filters.needsReview && row.textStatus !== 'needs_review') return false;
  if (filters.review) {
    const decision = reviews.get(row.blobName)?.decision ?? 'none';
    if (decision !== filters.review) return false;
  }
  return true;
}

/**
 * The review gallery: one row per message, one column per locale, every image of the cell as a
 * thumbnail the dashboard serves itself (no storage URL in the page), with the expected text, what the
 * text check read back and its score, and approve / reject buttons (POST, CSRF token).
 */
export function galleryPage(data: GalleryPageData): SafeHtml {
  const { run, filters } = data;
  const shown = data.rows.filter((row) => matches(row, data.reviews, filters));
  const locales = [...new Set(data.rows.map((row) => row.locale))].sort((a, b) => LOCALE_CODES.indexOf(a as never) - LOCALE_CODES.indexOf(b as never));
  const columns = filters.locale ? locales.filter((locale) => locale === filters.locale) : locales;
  const ids = [...new Set(shown.map((row) => row.id))];
  const cell = (id: string, locale: string): SafeHtml => {
    const images = shown.filter((row) => row.id === id && row.locale === locale).sort((a, b) => Number(a.variant) - Number(b.variant));
    return html`<td>${images.map((row) => figure(data, row))}</td>`;
  };
  const body = html`<h1>Review <span class="mono">${run.id}</span></h1>
<p><a href="/runs/${encodeURIComponent(run.id)}">Back to the run</a> · ${shown.length} of ${data.rows.length} images shown</p>
${data.notice && html`<p class="notice" role="status">${data.notice}</p>`}
<form class="filters" method="get" action="/runs/${encodeURIComponent(run.id)}/gallery">
<label>Locale <select name="locale"><option value="">all</option>${locales.map((locale) => html`<option${filters.locale === locale && html` selected`}>${locale}</option>`)}</select></label>
<label>Status <select name="status"><option value="">all</option>${['created', 'exists', 'failed'].map((status) => html`<option${filters.status === status && html` selected`}>${status}</option>`)}</select></label>
<label>Review <select name="review"><option value="">all</option>${['none', 'approved', 'rejected'].map((review) => html`<option${filters.review === review && html` selected`}>${review}</option>`)}</select></label>
<label><input type="checkbox" name="needs_review" value="1"${filters.needsReview && html` checked`}> needs review only</label>
<button type="submit">Filter</button>
</form>
${
  ids.length === 0
    ? html`<p class="empty">No image matches.</p>`
    : html`<table id="gallery">
<thead><tr><th>Message</th>${columns.map((locale) => html`<th>${locale}</th>`)}</tr></thead>
<tbody>${ids.map((id) => html`<tr data-message="${id}"><th class="mono">${id}</th>${columns.map((locale) => cell(id, locale))}</tr>`)}</tbody>
</table>`
}`;
  return layout({ title: `Review ${run.id}`, body });
}

function figure(data: GalleryPageData, row: GalleryRow): SafeHtml {
  const review = data.reviews.get(row.blobName);
  const expected = row.expectedText || row.text || '';
  const score = row.textCer === undefined || row.textCer === '' ? undefined : row.textCer;
  if (row.status === 'failed') {
    return html`<figure class="tile failed" data-status="failed"><figcaption><code>${row.errorCode}</code> ${row.errorMessage}</figcaption></figure>`;
  }
  const id = encodeURIComponent(data.run.id);
  return html`<figure class="tile${review ? ` review-${review.decision}` : ''}" data-blob="${row.blobName}" data-locale="${row.locale}" data-variant="${row.variant}" data-review="${review?.decision ?? 'none'}">
<a href="${imageUrl(data.run.id, row.blobName, 'full')}" target="_blank"><img src="${imageUrl(data.run.id, row.blobName, 'thumb')}" alt="${row.id} ${row.locale} v${row.variant}" loading="lazy"></a>
<figcaption>
<div>v${row.variant} · ${row.status}${row.textStatus && html` · <span class="check check-${row.textStatus}">${row.textStatus}</span>`}${review && html` · <b class="decision">${review.decision}</b>`}</div>
<div><span class="muted">expected</span> <span class="text" lang="${row.locale}">${expected || '(translated by the image model)'}</span></div>
<div><span class="muted">read</span> <span class="text read" lang="${row.locale}">${row.readText ?? ''}</span>${score !== undefined && html` <span class="muted">CER</span> <span class="mono score">${score.toFixed(2)}</span>`}</div>
<form method="post" action="/runs/${id}/review">
<input type="hidden" name="csrf" value="${data.csrfToken}"><input type="hidden" name="blob" value="${row.blobName}">
<button name="decision" value="approved" class="approve">Approve</button>
<button name="decision" value="rejected" class="reject"${!data.canRerender && html` title="records the rejection; this dashboard cannot render a new variant"`}>Reject${data.canRerender && ' and re-render'}</button>
</form>
</figcaption>
</figure>`;
}

export const GALLERY_CSS = `
.filters { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .5rem 0 1rem; }
#gallery td, #gallery th { vertical-align: top; }
.tile { display: inline-block; width: 14rem; margin: 0 .5rem .75rem 0; vertical-align: top; border: 1px solid var(--bar); border-radius: 6px; padding: .35rem; }
.tile img { display: block; max-width: 100%; height: auto; border-radius: 4px; background: rgba(127,127,127,.15); }
.tile figcaption { font-size: .8rem; margin-top: .3rem; }
.tile form { display: flex; gap: .4rem; margin-top: .35rem; }
.tile.review-approved { border-color: var(--ok); } .tile.review-rejected { border-color: var(--bad); opacity: .7; }
.tile .text { font-size: .95rem; }
.check-needs_review { color: var(--bad); font-weight: 600; } .check-ok { color: var(--ok); }
.notice { padding: .5rem .75rem; border-left: 4px solid var(--fill); background: rgba(37,99,235,.08); }
`;
