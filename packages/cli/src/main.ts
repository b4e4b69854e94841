#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import * as bridge from './commands/bridge.js';
import * as connect from './commands/connect.js';
import * as openapi from './commands/openapi.js';

const cli = yargs(hideBin(process.argv))
  .scriptName('switchboard')
  .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false })
  .command(bridge as never)
  .command(connect as never)
  .command(openapi as never)
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

await cli.parseAsync();
