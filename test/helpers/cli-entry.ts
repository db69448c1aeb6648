// The CLI from source, for tests (bin/polyglyph.js runs the compiled copy the same way).
import { main } from '../../src/cli/main.js';

const code = await main(process.argv);
process.exitCode = code;
setTimeout(() => process.exit(code), 3_000).unref();
