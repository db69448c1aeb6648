// The CLI from source, for tests (bin/polyglyph.js runs the compiled copy the same way).
import { runPolyglyph } from '../../workers/polyglyph.js';

const code = await runPolyglyph(process.argv);
process.exitCode = code;
setTimeout(() => process.exit(code), 3_000).unref();
