import type { Response } from 'express';
import { html, type SafeHtml } from './html.js';
import { layout } from './pages/layout.js';

export function sendPage(response: Response, page: SafeHtml): void {
  response.set('Cache-Control', 'no-store').type('html').send(page.value);
}

export function notFound(response: Response, what: string): void {
  response.status(404);
  if (response.req.accepts(['html', 'json']) === 'json') {
    response.json({ error: { code: 'not_found', message: `not found: ${what}` } });
    return;
  }
  sendPage(response, layout({ title: 'Not found', body: html`<h1>Not found</h1><p>No run or page <code>${what}</code> here. <a href="/runs">All runs</a></p>` }));
}
