import { hostname, userInfo } from 'node:os';

/** Who started a run and where, for `status`: `user@host (command)`. */
export function describeOrigin(command: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers run as an arbitrary uid): the host still says where.
  }
  return `${user}@${hostname()} (${command})`;
}
