/**
 * A drop's ledger source (`dir:spring.csv@<uuid>`, `blob:spring.csv@"0x8DC..."`: unique per claim,
 * so the ledger only ever matches content) as a person names it: `file spring.csv`, `blob spring.csv`.
 * The uuid or etag after `@` means nothing to them and is left out.
 */
export function describeDropSource(source: string | undefined): string {
  const match = source === undefined ? null : /^(dir|blob):(.*)@[^@]*$/.exec(source);
  if (!match) return 'an earlier drop';
  return `${match[1] === 'dir' ? 'file' : 'blob'} ${match[2]}`;
}
