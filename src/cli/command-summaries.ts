/**
 * What `polyglyph --help` lists for each command, in its order, without loading any command's code:
 * each command file takes its description from here, so the list and `polyglyph <command> --help`
 * never disagree, and top-level help starts as fast as `--version` (program.ts).
 */
export interface CommandSummary {
  /** What follows the name in the list: `[options]` and the arguments, as commander prints them. */
  usage: string;
  description: string;
}

export const COMMAND_SUMMARIES = {
  run: { usage: '[options] <manifest>', description: 'validate, enqueue and process a manifest with in-process workers until every item is done, then write the report' },
  enqueue: { usage: '[options] <manifest>', description: 'validate a manifest and enqueue its jobs for `polyglyph worker` processes; prints the run id' },
  worker: { usage: '[options]', description: 'process jobs until SIGINT/SIGTERM, then finish or hand back in-flight jobs and exit' },
  validate: {
    usage: '[options] <manifest>',
    description: 'check a manifest: every problem with its line and column, then the images, estimated cost and duration it plans; enqueues nothing (exit 2 when it has errors or exceeds --max-cost)',
  },
  check: {
    usage: '[options]',
    description:
      'preflight: every configured deployment (reachable, authorised, exists, serves its model, quota plausible) and the storage account (container, probe blob, metadata, index tags), without spending; exit 0 ready (warnings allowed), 2 not ready',
  },
  translate: {
    usage: '[options] <manifest>',
    description: 'fill the empty text:<locale> cells of a manifest with a chat model deployment (supplied cells are never changed) and write a manifest to review, edit and give to `run`',
  },
  status: { usage: '[options] [run]', description: 'list recent runs, or show one run with progress per locale' },
  report: { usage: '[options] <run>', description: "print a run's report: one row per image or failed item (CSV is RFC 4180, safe to open in a spreadsheet)" },
  pull: {
    usage: '[options] <run>',
    description:
      "download a run's images, their sidecar JSON and the contact sheets into <out>/<campaign>/<locale>/<id>/... and <out>/contact-sheets/<run>/<locale>.png; files already there with the same size are skipped",
  },
  retry: { usage: '[options] <run>', description: 're-enqueue only the failed items of a run, under the same run (after fixing the configuration or the manifest)' },
  cancel: { usage: '[options] <run>', description: 'cancel what has not started in a run (items in flight finish); the run then ends with them as cancelled' },
  scan: { usage: '[options]', description: 'start a run for each manifest dropped in the blob prefix (manifests/incoming/) or the drop folder; once, or --watch' },
  schedule: { usage: '', description: 'cron schedules for `polyglyph scheduler`: a scan pass, or a run of one manifest' },
  scheduler: { usage: '[options]', description: 'run the scheduled jobs (scan passes, manifest runs) until SIGINT/SIGTERM; any number may run, each slot fires once' },
  dashboard: { usage: '[options]', description: 'serve Bull Board for the queues (/queues) and the runs pages (/runs) until SIGINT/SIGTERM; /livez and /readyz for orchestrators' },
  'mock-api': { usage: '[options]', description: 'serve the stand-in Azure OpenAI image API (for tests, benchmarks and local demos)' },
} as const satisfies Record<string, CommandSummary>;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
