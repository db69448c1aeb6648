import { gatewayError } from '../errors.js';
import { isMockFault } from '../faults.js';
import type { MockResponse } from '../http-io.js';
import { MOCK_FAULTS, type MockImageApi } from '../types.js';
import type { AdminAction } from './match-route.js';
import { isRecord } from '../../json/is-record.js';

type Controls = Pick<MockImageApi, 'stats' | 'injectFaults' | 'configure' | 'resetStats'>;

/**
 * Control routes for tests and benches that run the stand-in in another process. They need no key
 * and are not counted in the stats, so controlling the stand-in never disturbs what it measures.
 */
export function handleAdmin(action: AdminAction, rawBody: Buffer, controls: Controls): MockResponse {
  switch (action) {
    case 'health':
      return ok({ ok: true });
    case 'stats':
      return ok(controls.stats());
    case 'reset':
      controls.resetStats();
      return ok({ ok: true });
    case 'faults': {
      const body = parseJson(rawBody);
      const faults = isRecord(body) ? body.faults : undefined;
      if (!Array.isArray(faults) || !faults.every(isMockFault)) {
        return badRequest(`expected {"faults": [...]} with kinds among ${MOCK_FAULTS.join(', ')}`);
      }
      controls.injectFaults(faults);
      return ok({ ok: true, queued: faults.length });
    }
    case 'configure': {
      const body = parseJson(rawBody);
      try {
        controls.configure(body as Parameters<Controls['configure']>[0]);
      } catch (error) {
        if (error instanceof RangeError) return badRequest(error.message);
        throw error;
      }
      return ok({ ok: true });
    }
  }
}

function ok(body: unknown): MockResponse {
  return { status: 200, body };
}

function badRequest(message: string): MockResponse {
  return gatewayError(400, 'BadRequest', message);
}

/** An empty body counts as `{}`: a configure without a body changes nothing rather than failing. */
function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
