import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens for the dashboard's own forms (the review gallery), on top of the same-origin
 * check every mutating request passes (request-guards.ts): an HMAC of the run id under a secret made
 * when the process starts, so a token is worthless for another run or after a restart, and a page on
 * another site cannot know it.
 */
export class CsrfTokens {
  private readonly secret = randomBytes(32);

  token(scope: string): string {
    return createHmac('sha256', this.secret).update(scope, 'utf8').digest('base64url');
  }

  verify(scope: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.token(scope));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
