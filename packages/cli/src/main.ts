#!/usr/bin/env node
import { VERSION } from './version.js';

const args = process.argv.slice(2);
// `--version` is what scripts and hosts probe first: answer before loading yargs (most of the start-up cost).
if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(VERSION + '\n');
  process.exit(0);
}

const { default: yargs } = await import('yargs');

const { COMMANDS } = await import('./commands.js');
const named = args.find((a) => !a.startsWith('-'));
const chosen = named && named in COMMANDS ? named : undefined;

let cli = yargs(args)
  .scriptName('switchboard')
  .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false });
if (chosen) cli = cli.command((await COMMANDS[chosen]!.load()) as never);
else for (const { command, describe } of Object.values(COMMANDS)) cli = cli.command(command, describe);
cli = cli
  .demandCommand(1, 'name a command: switchboard bridge --help')
  .strict()
  .help()
  .alias('h', 'help')
  .version(VERSION)
  .wrap(Math.min(110, process.stderr.columns || 110))
  .fail((msg, err) => {
    if (err) process.stderr.write(`switchboard: ${err.message}\n`);
    else process.stderr.write(`switchboard: ${msg}\n(see switchboard --help)\n`);
    process.exit(2);
  });

// yargs renders the whole help text after starting a command, to have it at hand should the command fail
// later: ~0.1 s of blocked event loop just as a server starts. Our failures print their own message instead.
const internals = (cli as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage(): void } } }).getInternalMethods?.();
if (internals) internals.getUsageInstance().cacheHelpMessage = () => {};

await cli.parseAsync();
