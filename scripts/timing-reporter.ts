/**
 * A Vitest reporter that writes every test's and every beforeAll/afterAll hook's duration next to the
 * test's own limit, so `npm run test:slowest` can say which tests are close to their timeout on a
 * loaded machine (issue 14 item 10: every test within a third of its limit).
 *
 * Test durations come from Vitest (measured in the worker). Hook durations are measured here, between the
 * hook-start and hook-end events the workers send; those events arrive in batches, so a hook's figure
 * can be off by the batching interval (a few hundred ms), which is small next to a hook that starts
 * Redis or Azurite. A hook's limit is not in the events; scripts/slowest-tests.ts reads it from the source.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

type HookEntity = TestSuite | TestModule | TestCase;
type HookName = 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach';

export interface TimedTest {
  file: string;
  name: string;
  state: string;
  durationMs: number;
  timeoutMs: number;
}

export interface TimedHook {
  file: string;
  hook: HookName;
  /** The suite's name, or '' for a hook at the top of the file. */
  suite: string;
  /** When the hook started, in ms after the run started: tells the order of a file's hooks. */
  startMs: number;
  durationMs: number;
  /** 'failed': the file's tests did not run; the duration is the whole file's. */
  state: 'passed' | 'failed';
}

export interface Timings {
  startedAt: string;
  wallMs: number;
  tests: TimedTest[];
  hooks: TimedHook[];
}

export const TIMINGS_FILE = 'test-results/timings.json';

export default class TimingReporter implements Reporter {
  private readonly started = Date.now();
  private readonly tests: TimedTest[] = [];
  private readonly hooks: TimedHook[] = [];
  private readonly open = new Map<string, number>();

  onTestCaseResult(test: TestCase): void {
    const diagnostic = test.diagnostic();
    this.tests.push({
      file: this.fileOf(test.module),
      name: test.fullName,
      state: test.result().state,
      durationMs: Math.round(diagnostic?.duration ?? 0),
      timeoutMs: timeoutOf(test),
    });
  }

  onHookStart(hook: { name: HookName; entity: HookEntity }): void {
    this.open.set(this.keyOf(hook), Date.now());
  }

  onHookEnd(hook: { name: HookName; entity: HookEntity }): void {
    const key = this.keyOf(hook);
    const start = this.open.get(key);
    if (start === undefined) return;
    this.open.delete(key);
    // beforeEach/afterEach run inside the test's own duration and timeout; keep only the suite hooks.
    if (hook.entity.type === 'test') return;
    this.hooks.push({
      file: this.fileOf(hook.entity.type === 'module' ? hook.entity : hook.entity.module),
      hook: hook.name,
      suite: hook.entity.type === 'suite' ? hook.entity.fullName : '',
      startMs: start - this.started,
      durationMs: Date.now() - start,
      state: 'passed',
    });
  }

  /** A beforeAll that throws sends no end event: count the file's own errors as a failed hook. */
  onTestModuleEnd(module: TestModule): void {
    if (module.errors().length === 0 && module.state() !== 'failed') return;
    const file = this.fileOf(module);
    const ranNoTest = [...module.children.allTests()].every((test) => test.result().state === 'skipped');
    if (!ranNoTest || this.hooks.some((hook) => hook.file === file && hook.hook === 'beforeAll')) return;
    this.hooks.push({ file, hook: 'beforeAll', suite: '', startMs: 0, durationMs: Math.round(module.diagnostic().duration), state: 'failed' });
  }

  onTestRunEnd(): void {
    const timings: Timings = {
      startedAt: new Date(this.started).toISOString(),
      wallMs: Date.now() - this.started,
      tests: this.tests,
      hooks: this.hooks,
    };
    mkdirSync(dirname(TIMINGS_FILE), { recursive: true });
    writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`);
  }

  private keyOf(hook: { name: HookName; entity: HookEntity }): string {
    return `${hook.name}\u0000${hook.entity.id}`;
  }

  private fileOf(module: TestModule): string {
    return relative(process.cwd(), module.moduleId);
  }
}

/**
 * The limit the test ran under (config testTimeout, or the number after its function). The public
 * TestCase does not expose it; the runner's task, which the reporter API keeps on `task`, does.
 */
function timeoutOf(test: TestCase): number {
  return (test as unknown as { task: { timeout: number } }).task.timeout;
}
