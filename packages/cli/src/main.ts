#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

// Each command loads only what it needs: importing every command would pull in the client SDK,
// the OpenAPI compiler and more, and cost a bridge its cold start.
const COMMANDS: Record<string, () => Promise<unknown>> = {
  bridge: () => import('./commands/bridge.js'),
  connect: () => import('./commands/connect.js'),
  openapi: () => import('./commands/openapi.js'),
  gateway: () => import('./commands/gateway.js'),
};
const args = hideBin(process.argv);
const named = args.find((a) => !a.startsWith('-'));
const chosen = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
const modules = await Promise.all(chosen.map((name) => COMMANDS[name]!()));

let cli = yargs(args)
  .scriptName('switchboard')
  .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false });
for (const m of modules) cli = cli.command(m as never);
cli = cli
  .demandCommand(1, 'name a command: switchboard bridge --help')
  .strict()
  .help()
  .alias('h', 'help')
  .version('0.1.0')
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
