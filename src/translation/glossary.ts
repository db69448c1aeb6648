import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors/polyglyph-error.js';
import { LOCALE_CODES, type LocaleCode } from '../locales/registry.js';

/**
 * Terms a translation must respect: brand and product names kept verbatim (`doNotTranslate`), and
 * fixed renderings per locale (`terms`: source term -> locale -> required translation).
 */
export interface Glossary {
  doNotTranslate: string[];
  terms: Record<string, Partial<Record<LocaleCode, string>>>;
}

export const EMPTY_GLOSSARY: Glossary = { doNotTranslate: [], terms: {} };

const glossarySchema = z.strictObject({
  doNotTranslate: z.array(z.string().min(1)).default([]),
  terms: z.record(z.string().min(1), z.partialRecord(z.enum(LOCALE_CODES), z.string().min(1))).default({}),
});

/** Reads a glossary file; a missing or malformed one is a configuration error naming what is wrong. */
export function loadGlossary(path: string | undefined): Glossary {
  if (path === undefined) return EMPTY_GLOSSARY;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the glossary ${path}: ${(error as Error).message}`, { hint: 'check POLYGLYPH_GLOSSARY (--glossary)' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the glossary ${path} is not JSON: ${(error as Error).message}`, { hint: 'expected {"doNotTranslate": ["Brand"], "terms": {"source term": {"ja": "..."}}}' });
  }
  const parsed = glossarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`the glossary ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, {
      hint: 'expected {"doNotTranslate": ["Brand"], "terms": {"source term": {"ja": "..."}}} with locales ' + LOCALE_CODES.join(', '),
    });
  }
  return parsed.data as Glossary;
}

/** The part of the glossary that applies to one message and locale: only terms the message contains. */
export function glossaryFor(glossary: Glossary, message: string, locale: LocaleCode): { doNotTranslate: string[]; terms: Record<string, string> } {
  const doNotTranslate = glossary.doNotTranslate.filter((term) => message.includes(term));
  const terms: Record<string, string> = {};
  for (const [term, byLocale] of Object.entries(glossary.terms)) {
    const rendering = byLocale[locale];
    if (rendering !== undefined && message.includes(term)) terms[term] = rendering;
  }
  return { doNotTranslate, terms };
}

/** Stable digest of the glossary entries that apply, for the cache key: editing an unrelated term invalidates nothing. */
export function glossaryDigest(applied: ReturnType<typeof glossaryFor>): string {
  const canonical = JSON.stringify([[...applied.doNotTranslate].sort(), Object.entries(applied.terms).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
}
