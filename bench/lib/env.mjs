// What every bench script needs first: where things are, its --flags, and a description of the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH, '..');

/** The value after `--name` on the command line, or the default. */
export function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
}

export function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/** Date, cores, CPU model, Node, memory and commit: the header of every RESULTS file. */
export function describeMachine() {
  return {
    date: sh('date', ['-u']),
    nproc: sh('nproc', []),
    cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? '?',
    node: process.version,
    memGb: (os.totalmem() / 2 ** 30).toFixed(1),
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
  };
}
