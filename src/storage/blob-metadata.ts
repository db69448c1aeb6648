/**
 * Azure's rules for blob metadata and index tags, enforced here because Azurite does not: metadata
 * names are C# identifiers, values ASCII, the whole set at most 8 KiB; at most 10 tags, keys 1-128
 * and values 0-256 characters from `[a-zA-Z0-9 +-./:=_]`.
 * Sources: learn.microsoft.com "Naming and Referencing Containers, Blobs, and Metadata" (metadata
 * names), "Setting and Retrieving Properties and Metadata for Blob Resources" (8 KB; names and values
 * are HTTP headers, hence ASCII), and BlobBaseClient.SetTags / "Set Blob Tags" (the tag rules).
 */

export const MAX_METADATA_BYTES = 8 * 1024;
export const MAX_TAGS = 10;
const METADATA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TAG_TEXT = /^[a-zA-Z0-9 +\-./:=_]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export class BlobMetadataError extends Error {
  override readonly name = 'BlobMetadataError';
}

export function assertValidMetadata(metadata: Record<string, string>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_NAME.test(key)) throw new BlobMetadataError(`metadata name '${key}' is not a valid identifier`);
    if (!PRINTABLE_ASCII.test(value)) throw new BlobMetadataError(`metadata '${key}' must be printable ASCII (non-ASCII goes in the sidecar JSON)`);
    bytes += key.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new BlobMetadataError(`metadata is ${bytes} bytes; Azure allows ${MAX_METADATA_BYTES}`);
}

/** Why `value` cannot be a metadata value, or undefined when it can. */
export function metadataValueProblem(value: string): string | undefined {
  return PRINTABLE_ASCII.test(value) ? undefined : 'metadata values must be printable ASCII';
}

/** Why `value` cannot be an index tag value, or undefined when it can. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > 256) return `index tag values are at most 256 characters (this one is ${value.length})`;
  const bad = [...value].find((char) => !TAG_TEXT.test(char));
  return bad === undefined ? undefined : `index tag values take only letters, digits, space and + - . / : = _ (not '${bad}')`;
}

export function assertValidTags(tags: Record<string, string>): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new BlobMetadataError(`${entries.length} index tags; Azure allows ${MAX_TAGS}`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) throw new BlobMetadataError(`index tag key '${key}' is not allowed`);
    if (value.length > 256 || !TAG_TEXT.test(value)) throw new BlobMetadataError(`index tag '${key}' value '${value}' has characters outside [a-zA-Z0-9 +-./:=_] or is over 256 long`);
  }
}
