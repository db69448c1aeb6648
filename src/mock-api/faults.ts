import { contentPolicyViolation } from './content-filter.js';
import { internalServerError, rateLimited, resourceBlocked, serviceUnavailable, unsupportedContentType } from './errors.js';
import type { MockResponse } from './http-io.js';
import { MOCK_FAULTS, type MockFault } from './types.js';

/** Azure's front door answers these at once, without generating, so they skip the generation latency. */
export const GATEWAY_FAULTS: ReadonlySet<MockFault> = new Set(['unavailable', 'rate-limit', 'blocked-resource']);

/** Faults that change a successful answer rather than replace it. */
export type OutputFault = Extract<MockFault, 'malformed' | 'wrong-size' | 'wrong-format' | 'fewer-images' | 'garbled-text'>;
const OUTPUT_FAULTS: ReadonlySet<MockFault> = new Set<OutputFault>(['malformed', 'wrong-size', 'wrong-format', 'fewer-images', 'garbled-text']);

export function isOutputFault(fault: MockFault | undefined): fault is OutputFault {
  return fault !== undefined && OUTPUT_FAULTS.has(fault);
}

export function isMockFault(value: unknown): value is MockFault {
  return typeof value === 'string' && (MOCK_FAULTS as readonly string[]).includes(value);
}

/**
 * Decides which fault, if any, the next generation request meets: queued one-shot faults first, in
 * order, then the configured rates. One random draw per request picks at most one fault, so rates
 * that add up to 1 mean every request fails and the draw sequence stays reproducible.
 */
export class FaultSchedule {
  private readonly queued: MockFault[] = [];

  constructor(private readonly random: () => number) {}

  inject(kinds: readonly MockFault[]): void {
    this.queued.push(...kinds);
  }

  clear(): void {
    this.queued.length = 0;
  }

  next(rates: Partial<Record<MockFault, number>>): MockFault | undefined {
    const queued = this.queued.shift();
    if (queued !== undefined) return queued;
    const draw = this.random();
    let cumulative = 0;
    for (const kind of MOCK_FAULTS) {
      cumulative += rates[kind] ?? 0;
      if (draw < cumulative) return kind;
    }
    return undefined;
  }
}

/** The answer for a fault that replaces the response, or undefined for hang and output faults. */
export function faultResponse(fault: MockFault, apiVersion: string, contentType?: string): MockResponse | undefined {
  switch (fault) {
    case 'unsupported-content-type':
      return unsupportedContentType(contentType?.split(';')[0]?.trim() || 'multipart/form-data');
    case 'server-error':
      return internalServerError();
    case 'unavailable':
      return serviceUnavailable();
    case 'content-filter':
      return contentPolicyViolation();
    case 'rate-limit':
      return rateLimited(1000, apiVersion);
    case 'blocked-resource':
      return resourceBlocked();
    default:
      return undefined;
  }
}
