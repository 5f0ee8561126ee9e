#!/usr/bin/env node
/**
 * `contrastive <command>`: one file per command under src/cli/, each exporting
 * `register(program)`. Wrong options exit 2 with one line; `--debug` shows stacks.
 */
import { Command, CommanderError } from 'commander';
import { ContrastiveError, DataError } from '../errors.js';
import * as dataCommand from './data.js';
import * as pretrainCommand from './pretrain.js';
import * as evalCommand from './eval.js';
import * as embedCommand from './embed.js';
import * as doctorCommand from './doctor.js';
import * as reportCommand from './report.js';
import * as serveCommand from './serve.js';
import { packageVersion } from './version.js';
import * as indexCommand from './index-command.js';
import * as searchCommand from './search.js';

const program = new Command('contrastive')
  .description('Contrastive self-supervised learning on TensorFlow.js')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .option('--debug', 'show stack traces on errors')
  .exitOverride()
  // one line per error: commander's "(Did you mean --epochs?)" joins the line it follows
  .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/\n\(Did you mean/g, ' (Did you mean')) });

// Commands register themselves here, one import each.
const commands: { register(p: Command): void }[] = [
  dataCommand,
  pretrainCommand,
  evalCommand,
  embedCommand,
  doctorCommand,
  reportCommand,
  serveCommand,
  indexCommand,
  searchCommand,
];
for (const c of commands) c.register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version exit 0; usage errors exit 2 (commander already printed the line)
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  const debug = program.opts().debug === true || process.argv.includes('--debug');
  if (debug && err instanceof Error) console.error(err.stack);
  else console.error(`contrastive: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof ContrastiveError || err instanceof DataError ? 2 : 1);
}
