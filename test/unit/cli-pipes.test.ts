// Issue 14 item 5: a command whose reader goes away (`polyglyph status | head`) exits quietly.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli-build.js';
import { hermeticEnv } from '../helpers/cli.js';

/** `polyglyph <args> | true` in bash: the reader is gone before the CLI writes; the CLI's own exit code and stderr. */
function intoClosedPipe(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const command = `${[...cliCommand(), ...args].map((word) => `'${word}'`).join(' ')} | true; echo "exit:\${PIPESTATUS[0]}" >&2`;
    const child = spawn('bash', ['-c', command], { env: hermeticEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const code = Number(/exit:(\d+)\s*$/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, stderr: stderr.replace(/exit:\d+\s*$/, '') });
    });
  });
}

describe('output into a closed pipe', () => {
  it('exits 0 without a stack trace when the reader went away (run --help | true)', async () => {
    const result = await intoClosedPipe(['run', '--help']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('keeps the exit code of the command itself (validate of a broken manifest: 2)', async () => {
    const result = await intoClosedPipe(['validate', 'test/fixtures/manifests/broken.csv']);
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.code).toBe(2);
  });
});
