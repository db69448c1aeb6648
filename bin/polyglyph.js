#!/usr/bin/env node
// The published entry point: the compiled CLI. `npm ci` builds dist/ through the `prepare` script.
import { reportInternalError, runPolyglyph } from '../dist/workers/polyglyph.js';

runPolyglyph(process.argv).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; if a stray handle (a socket in TIME_WAIT, a timer in a
    // dependency) would hold the process open, leave anyway. unref: never delays a clean exit.
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (error) => {
    // main() turns every expected failure into a message and an exit code; reaching here is a bug:
    // one redacted line (the stack with POLYGLYPH_DEBUG=1), never a raw dump of the error.
    process.exit(reportInternalError(error));
  },
);
