// The work every scenario does: N distinct messages, one locale each, so one item = one job = one
// image and the stand-in's counters translate directly into items.
import { writeFile } from 'node:fs/promises';

const LOCALES = ['ja', 'ko', 'hi', 'bn', 'zh-Hans'] as const;
const LANGUAGES: Record<(typeof LOCALES)[number], string> = { ja: 'Japanese', ko: 'Korean', hi: 'Hindi', bn: 'Bengali', 'zh-Hans': 'Simplified Chinese' };

export interface BenchItem {
  id: string;
  message: string;
  locale: (typeof LOCALES)[number];
}

/** `tag` keeps messages distinct across scenarios too, so no two stand-ins ever see the same prompt. */
export function benchItems(count: number, tag: string): BenchItem[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `msg-${String(index + 1).padStart(5, '0')}`,
    message: `Spring sale ${tag} #${index + 1}: everything ${10 + (index % 40)}% off today`,
    locale: LOCALES[index % LOCALES.length]!,
  }));
}

/** A Polyglyph manifest (id,message,locales) for the items. Messages contain no quotes or newlines, but are quoted anyway for the commas. */
export async function writeManifest(path: string, items: readonly BenchItem[]): Promise<void> {
  const rows = items.map((item) => `${item.id},"${item.message.replaceAll('"', '""')}",${item.locale}`);
  await writeFile(path, `id,message,locales\n${rows.join('\n')}\n`, 'utf8');
}

/** The prompt a hand-written client would send: short, one per item. */
export function baselinePrompt(item: BenchItem): string {
  return `A clean promotional banner. Render this text translated into ${LANGUAGES[item.locale]}, large and centred: "${item.message}"`;
}
