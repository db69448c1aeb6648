/**
 * A blob (or container, or source image) URL as we may store or show it: without its query string
 * and fragment. A URL built by a client that authenticates with a SAS carries the SAS in its query
 * (`?sv=...&sig=...`), and a SAS is a credential: anyone holding it can do what it allows until it
 * expires. Every URL made for output (report rows, job data, messages, pages) goes through here;
 * a user who wants shareable links asks for short-lived read-only ones (`report --signed-urls`).
 */
export function publicBlobUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
