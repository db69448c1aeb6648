// `npm run docs:config`: rewrites the settings table in docs/configuration.md from src/config/settings.ts.
// test/unit/config-docs.test.ts fails when the two differ, so a new setting is documented or the suite says so.
import { readFile, writeFile } from 'node:fs/promises';
import { withConfigurationTable } from '../src/config/config-docs.js';

const path = 'docs/configuration.md';
const before = await readFile(path, 'utf8');
const after = withConfigurationTable(before);
await writeFile(path, after);
console.log(before === after ? `${path}: up to date` : `${path}: table rewritten`);
