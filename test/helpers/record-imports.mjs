// Loaded with `node --import`: appends every module URL the process resolves to $RECORD_IMPORTS_FILE,
// so a test can say which packages a command loads (start-up: load per command what it uses).
import { register } from 'node:module';

const hook = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { file: process.env.RECORD_IMPORTS_FILE } });
