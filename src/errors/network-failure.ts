/**
 * Why a request got no HTTP answer at all, read from the error chain Node's fetch (undici) and the
 * Azure SDK throw: `TypeError('fetch failed')` with the system error as `cause` (sometimes an
 * AggregateError of one error per address tried), or a RestError whose `code` is the system code.
 */
export type NetworkFailureKind = 'dns' | 'refused' | 'tls' | 'timeout' | 'reset';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** The system or TLS code, e.g. `ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`. */
  code: string;
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** Node's TLS failures: certificate codes from OpenSSL and Node's own ERR_TLS_* / ERR_SSL_*. */
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;

/** The network failure somewhere in `error`'s cause chain, or undefined when there is none. */
export function networkFailure(error: unknown): NetworkFailure | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const kind = classify(code);
      if (kind) return { kind, code };
    }
    queue.push((current as { cause?: unknown }).cause);
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
  }
  return undefined;
}

function classify(code: string): NetworkFailureKind | undefined {
  if (DNS.has(code)) return 'dns';
  if (REFUSED.has(code)) return 'refused';
  if (TIMEOUT.has(code)) return 'timeout';
  if (RESET.has(code)) return 'reset';
  return TLS.test(code) ? 'tls' : undefined;
}
