import type { MockImageApiStats } from './types.js';

/** Bench runs send many thousands of requests; the log keeps the most recent ones. */
const MAX_LOG_ENTRIES = 10_000;

export interface AnsweredGeneration {
  /** Which endpoint answered: images/generations (OpenAI's or MAI's) or images/edits. */
  operation: 'generations' | 'edits';
  deployment: string;
  status: number;
  n: number;
  size: string;
  prompt: string;
  /** The body's fields other than `prompt`, as received; `{}` when the body was not read. */
  parameters?: Record<string, unknown>;
  /** Images the client received in a readable 200 body. */
  imagesReturned: number;
  /** Images of the answer (0-based) drawn with garbled text (the `garbled-text` fault). */
  garbled?: number[];
  /** When the request arrived (the `now` clock); the answer time when not given. */
  receivedAt?: number;
}

export class StatsRecorder {
  private current: MockImageApiStats = emptyStats();

  constructor(private readonly now: () => number) {}

  /** Counted on arrival, so a request that never gets an answer (hang) still shows up. */
  received(): void {
    this.current.requests += 1;
  }

  answered(answer: AnsweredGeneration): void {
    const stats = this.current;
    const status = String(answer.status);
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (answer.status === 429) stats.rateLimited += 1;
    if (answer.imagesReturned > 0) {
      stats.imagesGenerated += answer.imagesReturned;
      stats.generationsByPrompt[answer.prompt] = (stats.generationsByPrompt[answer.prompt] ?? 0) + answer.imagesReturned;
    }
    const at = this.now();
    stats.requestLog.push({
      at,
      receivedAt: answer.receivedAt ?? at,
      operation: answer.operation,
      deployment: answer.deployment,
      status: answer.status,
      n: answer.n,
      size: answer.size,
      prompt: answer.prompt,
      parameters: answer.parameters ?? {},
      garbled: answer.imagesReturned > 0 ? (answer.garbled ?? []) : [],
    });
    if (stats.requestLog.length > MAX_LOG_ENTRIES) stats.requestLog.shift();
  }

  snapshot(): MockImageApiStats {
    return structuredClone(this.current);
  }

  reset(): void {
    this.current = emptyStats();
  }
}

function emptyStats(): MockImageApiStats {
  // No prototype: a prompt is user text and may well be '__proto__'.
  const generationsByPrompt = Object.create(null) as Record<string, number>;
  return { requests: 0, byStatus: {}, rateLimited: 0, imagesGenerated: 0, generationsByPrompt, requestLog: [] };
}
