import { Command } from 'commander';
import { resolveConfig } from '../../config/resolve-config.js';
import { validateManifest } from '../../manifest/validate-manifest.js';
import { manifestDefaults } from '../manifest-defaults.js';
import { printSummary } from '../print-issues.js';
import { MANIFEST_SETTINGS, addSettings, settingFlags } from '../settings-options.js';
import { setExitCode } from '../exit.js';

export function validateCommand(): Command {
  const command = new Command('validate')
    .description('check a manifest: every problem with its line and column; enqueues nothing (exit 2 when it has errors)')
    .argument('<manifest>', 'CSV manifest');
  addSettings(command, MANIFEST_SETTINGS);
  return command.action(async (manifest: string, options: Record<string, unknown>) => {
    const config = resolveConfig(settingFlags(options, MANIFEST_SETTINGS));
    const summary = await validateManifest(manifest, manifestDefaults(config));
    printSummary(summary);
    setExitCode(summary.errors > 0 ? 2 : 0);
  });
}
