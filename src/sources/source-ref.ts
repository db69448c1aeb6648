import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { publicBlobUrl } from '../storage/public-blob-url.js';

/** Where a master creative comes from: a URL (blob or any https), or a file on this machine. */
export type SourceRef = { kind: 'url'; url: string } | { kind: 'file'; path: string };

/**
 * Reads a `source_image` cell. Local paths are relative to the manifest's folder (so a manifest and
 * its masters travel together). Returns a reason string when the cell cannot be a source.
 */
export function parseSourceRef(cell: string, manifestPath: string): SourceRef | string {
  const value = cell.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `'${publicBlobUrl(value)}' is not a valid URL`;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `'${url.protocol}' URLs are not supported; use https, a blob URL or a local path`;
    return { kind: 'url', url: url.toString() };
  }
  const path = isAbsolute(value) ? value : resolve(dirname(manifestPath), value);
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
  } catch {
    return `${path} does not exist`;
  }
  return { kind: 'file', path };
}

/** A stable string for a ref: the URL, or the absolute path. */
export function sourceKey(ref: SourceRef): string {
  return ref.kind === 'url' ? ref.url : ref.path;
}

/** A ref as it may be stored or shown: a URL without its query (a SAS is a credential), or the path. */
export function displaySource(ref: SourceRef): string {
  return ref.kind === 'url' ? publicBlobUrl(ref.url) : ref.path;
}
