// The CLI from source, for tests (bin/polyglyph.js runs the compiled copy the same way).
import { reportInternalError, runPolyglyph } from '../../workers/polyglyph.js';

const code = await runPolyglyph(process.argv).catch((error: unknown) => reportInternalError(error));
process.exitCode = code;
setTimeout(() => process.exit(code), 3_000).unref();
