import type { LoggerOptions } from 'pino';

/** What a secret is replaced with. */
export const CENSOR = '[redacted]';

/**
 * Paths whose values are secrets wherever they appear in a log line: pino's own redaction, exact
 * and cheap. Secrets under other names or deeper, and secrets inside strings (an error message that
 * quotes a URL or a header), are caught by `redactLogLine` below.
 */
export const REDACT_PATHS = [
  'apiKey', '*.apiKey', '*.*.apiKey',
  'connectionString', '*.connectionString',
  'storageConnectionString', '*.storageConnectionString',
  'password', '*.password',
  'AZURE_OPENAI_API_KEY', '*.AZURE_OPENAI_API_KEY',
  'AZURE_STORAGE_CONNECTION_STRING', '*.AZURE_STORAGE_CONNECTION_STRING',
  'headers["api-key"]', 'headers.authorization', 'headers.Authorization',
  '*.headers["api-key"]', '*.headers.authorization', '*.headers.Authorization',
];

/**
 * Object keys whose values are censored whole, at any depth and whatever their type: API keys,
 * authorization headers, passwords, tokens, account keys, connection strings.
 */
const SECRET_KEY = /^(?:x-)?(?:api[-_]?key|ocp-apim-subscription-key|(?:proxy-)?authorization|password|passwd|pwd|secret|client[-_]?secret|(?:access|refresh|id|sas)[-_]?token|token|sas|account[-_]?key|(?:storage[-_]?)?connection[-_]?string|azure_openai_api_key|azure_storage_connection_string|cookie|set-cookie)$/i;

/** Patterns that find a secret inside any string; group 1 is kept, the rest becomes CENSOR. */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Connection strings: AccountKey=...; SharedAccessSignature=sv=...&sig=...; SharedAccessKey=...; Password=...
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd)=[^;"'\s]+/gi, `$1=${CENSOR}`],
  // Credentials in a URL's user info: redis://:pw@host, rediss://user:pw@host, https://user:pw@host
  // (a password already masked as *** is left as it is: the message says what it hid)
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"']*:)(?!\*+@)[^\s@/"']+@/gi, `$1${CENSOR}@`],
  // Secrets in query strings: SAS signatures (sig=), tokens, keys
  [/([?&;](?:sig|signature|token|access_token|id_token|code|key|api[-_]?key|subscription-key|password|client_secret)=)[^&\s"'#;]+/gi, `$1${CENSOR}`],
  // An authorization header's value, as text or JSON: "Authorization: Bearer ...", "authorization":"SharedKey a:b"
  [/((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n]+/gi, `$1${CENSOR}`],
  // Credentials after their scheme, wherever they appear
  [/\b(Bearer|Basic|SharedKey)\s+[A-Za-z0-9._~+/:=%&-]+/g, `$1 ${CENSOR}`],
  // key: value and key=value forms of API keys, client secrets, tokens and passwords
  [/((?:api[-_]?key|subscription-key|client[-_]?secret|(?:access|refresh)[-_]?token|password|passwd)["']?\s*[:=]\s*["']?)[^"'\s,;&}]+/gi, `$1${CENSOR}`],
];

/** Literal secrets shorter than this are not scrubbed from text: they would censor ordinary words. */
const MIN_LITERAL_LENGTH = 8;

/** `text` with every secret the patterns (and the given literal values) find replaced by CENSOR. */
export function scrubText(text: string, literals: readonly string[] = []): string {
  let scrubbed = text;
  for (const literal of literals) {
    if (literal.length >= MIN_LITERAL_LENGTH && scrubbed.includes(literal)) scrubbed = scrubbed.split(literal).join(CENSOR);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/** A parsed log value with secret keys censored and every string scrubbed, at any depth. */
function scrubValue(value: unknown, literals: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return scrubText(value, literals);
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, literals, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== null && item !== '' ? CENSOR : scrubValue(item, literals, depth + 1);
  }
  return out;
}

/**
 * One serialized log line (JSON and a line ending) with its secrets censored: message, bindings,
 * error messages and stacks, nested objects. It works on the finished line so that nothing a
 * serializer or a child logger adds escapes it; lines are a few hundred bytes, a few per job.
 */
export function redactLogLine(line: string, literals: readonly string[] = []): string {
  const eol = line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON (never from pino): the text patterns alone; none of them replaces a quote.
    return scrubText(line, literals);
  }
  return `${JSON.stringify(scrubValue(parsed, literals, 0))}${eol}`;
}

/**
 * pino options that redact: the known paths, then every line through `redactLogLine`. `secrets`
 * are values known to be secret (the configured API key, a connection string) that are censored
 * wherever they appear, even where no pattern would recognise them.
 */
export function redactionOptions(secrets: ReadonlyArray<string | undefined> = []): Pick<LoggerOptions, 'redact' | 'hooks'> {
  const literals = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_LITERAL_LENGTH))]
    // Longest first, so a secret containing another is censored whole.
    .sort((a, b) => b.length - a.length);
  return {
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: (line) => redactLogLine(line, literals) },
  };
}
