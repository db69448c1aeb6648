import { html, type SafeHtml } from '../html.js';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Reload the page every n seconds (while a run is moving); none when undefined. */
  refreshSeconds?: number | undefined;
}

/**
 * The frame of every runs page: no scripts at all (so the CSP can forbid them), one stylesheet,
 * and a plain meta refresh while something is running, which a headless probe or a wall screen
 * follows as well as a browser.
 */
export function layout(options: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds !== undefined && html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${options.title} · Polyglyph</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header>
<a class="brand" href="/runs">Polyglyph</a>
<nav><a href="/runs">Overview</a><a href="/queues">Queues</a></nav>
</header>
<main>
${options.body}
</main>
</body>
</html>
`;
}

export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --ok: #2e8540; --bad: #c0392b; --warn: #b7791f; --muted: #6b7280; --bar: #d1d5db; --fill: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; }
header { display: flex; gap: 2rem; align-items: center; padding: .75rem 1.5rem; background: #111827; color: #f9fafb; }
header a { color: inherit; text-decoration: none; }
header nav a { margin-right: 1.25rem; opacity: .85; }
header nav a:hover { opacity: 1; text-decoration: underline; }
.brand { font-weight: 700; letter-spacing: .02em; }
main { padding: 1.25rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--bar); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.muted { color: var(--muted); }
.state { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; border: 1px solid currentColor; }
.state-finished { color: var(--ok); } .state-running, .state-enqueuing { color: var(--fill); } .state-cancelled, .state-cancelling { color: var(--warn); }
.state-failures { color: var(--bad); }
progress { width: 10rem; height: .65rem; vertical-align: middle; accent-color: var(--fill); }
progress.has-failures { accent-color: var(--bad); }
svg.segbar { width: 10rem; height: .65rem; vertical-align: middle; border-radius: 3px; }
.seg-pending { fill: var(--bar); } .seg-created { fill: var(--fill); } .seg-existing { fill: var(--ok); } .seg-imagesFailed { fill: var(--bad); } .seg-imagesCancelled { fill: var(--warn); }
meter { width: 8rem; height: .8rem; vertical-align: middle; }
.failed { color: var(--bad); font-weight: 600; }
.chips span { display: inline-block; margin: 0 .35rem .2rem 0; padding: 0 .4rem; border-radius: 4px; background: rgba(127,127,127,.15); font-size: .8rem; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.25rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.empty { color: var(--muted); font-style: italic; }
#failure-codes { width: auto; min-width: 20rem; margin-bottom: 1.25rem; }
`;
