import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { publicBlobUrl } from './public-blob-url.js';

/** Hosts of an Azurite on this machine: the embedded one gets a new port each time it starts. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A short, non-secret name for where a producer's images go: the first 8 hex digits of the SHA-256 of
 * its container's URL, without the query (so without any SAS; a key or connection string never goes
 * in). It qualifies image job ids (image-job.ts), so runs of one manifest to two containers are
 * different items: the second does not take the first's outcome ("already stored") for images its own
 * container lacks, while re-runs to the same container still share jobs and outcomes.
 *
 * On this machine the port is left out and the data folder (`localDir`, POLYGLYPH_LOCAL_DIR) put in
 * its place: the embedded Azurite starts on a free port each time, and a `run` started again after an
 * interrupted one must find the same items (else the queued jobs and the new ones could both pay for
 * an image), while a run from another folder writes to another Azurite, whose container is empty
 * (a packed tarball installed in a new folder reported the quick start's 19 images "already stored"
 * from a clone's run on the same Redis, and none were in its storage).
 */
export function storageDestination(containerUrl: string, localDir?: string): string {
  const url = new URL(publicBlobUrl(containerUrl));
  const local = LOOPBACK.has(url.hostname);
  if (local) url.port = '';
  let identity = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  if (local && localDir !== undefined) identity += `#${resolve(localDir)}`;
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 8);
}
