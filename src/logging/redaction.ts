import type { LoggerOptions } from 'pino';

/** What a secret is replaced with. */
export const CENSOR = '[redacted]';

/**
 * Paths whose values are secrets wherever they appear in a log line: pino's own redaction, exact
 * and cheap. The names of the settings marked secret are added to these (redactionOptions); secrets
 * under other names or deeper, and secrets inside strings (an error message that quotes a URL or a
 * header), are caught by `redactLogLine` below.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'connectionString',
  '*.connectionString',
  'password',
  '*.password',
  'headers["api-key"]',
  'headers.authorization',
  'headers.Authorization',
  '*.headers["api-key"]',
  '*.headers.authorization',
  '*.headers.Authorization',
];

/**
 * Object keys whose values are censored whole, at any depth and whatever their type: API keys,
 * authorization headers, passwords, tokens, account keys, connection strings, whoever names them
 * (a deployments file, an SDK's request). The settings' own names come from the settings table.
 */
const SECRET_KEY =
  /^(?:x-)?(?:api[-_]?key|ocp-apim-subscription-key|(?:proxy-)?authorization|password|passwd|pwd|secret|client[-_]?secret|(?:access|refresh|id|sas)[-_]?token|token|sas|account[-_]?key|(?:storage[-_]?)?connection[-_]?string|cookie|set-cookie)$/i;

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

/** What a logger knows to be secret besides the patterns: key names and literal values. */
interface KnownSecrets {
  literals: readonly string[];
  keys: ReadonlySet<string>;
}

const NONE: KnownSecrets = { literals: [], keys: new Set() };

/** A parsed log value with secret keys censored and every string scrubbed, at any depth. */
function scrubValue(value: unknown, known: KnownSecrets, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value, known.literals);
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, known, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const secretKey = SECRET_KEY.test(key) || known.keys.has(key);
    out[key] = secretKey && item !== null && item !== '' ? CENSOR : scrubValue(item, known, depth + 1);
  }
  return out;
}

/**
 * One serialized log line (JSON and a line ending) with its secrets censored: message, bindings,
 * error messages and stacks, nested objects. It works on the finished line so that nothing a
 * serializer or a child logger adds escapes it; lines are a few hundred bytes, a few per job.
 */
export function redactLogLine(line: string, known: KnownSecrets = NONE): string {
  const eol = line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON (never from pino): the text patterns alone; none of them replaces a quote.
    return scrubText(line, known.literals);
  }
  return `${JSON.stringify(scrubValue(parsed, known, 0))}${eol}`;
}

/**
 * pino options that redact: the known paths, then every line through `redactLogLine`. `secrets`
 * are values known to be secret (the configured API key, a connection string) that are censored
 * wherever they appear, even where no pattern would recognise them; `secretKeys` are names whose
 * values are censored whole (the settings marked secret: src/config/secret-settings.ts).
 */
export function redactionOptions(secrets: ReadonlyArray<string | undefined> = [], secretKeys: readonly string[] = []): Pick<LoggerOptions, 'redact' | 'hooks'> {
  const literals = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_LITERAL_LENGTH))]
    // Longest first, so a secret containing another is censored whole.
    .sort((a, b) => b.length - a.length);
  // pino's paths take plain identifiers; every name is also censored by redactLogLine at any depth.
  const named = secretKeys.filter((key) => /^[A-Za-z_$][\w$]*$/.test(key)).flatMap((key) => [key, `*.${key}`]);
  return {
    redact: { paths: [...new Set([...REDACT_PATHS, ...named])], censor: CENSOR },
    hooks: { streamWrite: (line) => redactLogLine(line, { literals, keys: new Set(secretKeys) }) },
  };
}
