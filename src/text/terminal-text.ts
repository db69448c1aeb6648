/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts the sequences that
 * retitle, clear or rewrite a terminal), DEL, C1 controls (U+009B is a one-character CSI on some
 * terminals), and the bidirectional formatting characters that reorder what is shown (U+202A-U+202E,
 * U+2066-U+2069, U+200E, U+200F, U+061C; the "Trojan Source" characters, CVE-2021-42574), plus the
 * line and paragraph separators U+2028 and U+2029.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, keeping tab, LF and a CR that ends a line
const UNSAFE_KEEP_LINES = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

function escape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` safe to print to a terminal: every character a terminal would act on is shown as a `\uXXXX`
 * escape. Line breaks (LF, CRLF) and tabs are kept: use it on whole lines or blocks of output, and
 * `terminalValue` on a single value quoted inside a line. Inside a JSON string the escapes are valid
 * JSON and mean the same characters, so JSON output stays JSON. Every printer of the CLI goes through
 * one of the two (manifest issues, errors, run tables, status, scan and schedule lines, `report` on a
 * terminal), since manifests, blob names and run records come from many hands.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, escape);
}

/** One value (a header name, an id, a file name) inside a line: line breaks escaped too, so it cannot fake a line. */
export function terminalValue(text: string): string {
  return text.replace(UNSAFE, escape);
}
