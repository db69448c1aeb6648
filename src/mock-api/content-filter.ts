import type { MockResponse } from './http-io.js';

const CATEGORIES = ['hate', 'self_harm', 'sexual', 'violence'] as const;

/** Azure's per-category verdicts; the stand-in's filter, when it fires, blames violence. */
export function contentFilterResults(blocked: boolean): Record<string, unknown> {
  const results: Record<string, unknown> = Object.fromEntries(CATEGORIES.map((category) => [category, { filtered: false, severity: 'safe' }]));
  if (blocked) results.violence = { filtered: true, severity: 'medium' };
  return results;
}

/** Prompt-level results Azure adds next to the image-level ones. */
export function promptFilterResults(): Record<string, unknown> {
  return { ...contentFilterResults(false), jailbreak: { filtered: false, detected: false } };
}

export function containsBlockedTerm(prompt: string, blockedTerms: readonly string[]): boolean {
  const lower = prompt.toLowerCase();
  return blockedTerms.some((term) => lower.includes(term.toLowerCase()));
}

/** The 400 Azure answers for a prompt its safety system refuses: never worth retrying. */
export function contentPolicyViolation(): MockResponse {
  return {
    status: 400,
    body: {
      error: {
        code: 'content_policy_violation',
        message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
        param: null,
        type: 'invalid_request_error',
        inner_error: { code: 'ResponsibleAIPolicyViolation', content_filter_results: contentFilterResults(true) },
      },
    },
  };
}
