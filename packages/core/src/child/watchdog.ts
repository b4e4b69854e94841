import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { silentLogger, type Logger } from '../log.js';

/**
 * Kills our children's process groups when this process dies in a way it cannot clean up after (SIGKILL, OOM
 * killer, a crash in native code). Node has no prctl(PR_SET_PDEATHSIG), and a child that ignores stdin, or a
 * grandchild it started, never notices us gone. So one small /bin/sh per process (not per child: a group costs one
 * pipe write) holds the read end of a pipe whose only writer is us, and keeps the list of live groups we send it
 * ("+pgid" / "-pgid"). When every writer is gone (we died, whatever the way), `read` sees end of file and it kills
 * every group still listed. It runs in its own session, so a signal to our process group or terminal spares it.
 * Where there is no /bin/sh (Windows) it is not started, and the exit hook of process-transport remains the only net.
 */
const SCRIPT = `
trap '' INT HUP
g=""
while read -r op pg; do
  case "$op" in
    +) g="$g $pg" ;;
    -) n=""; for x in $g; do [ "$x" = "$pg" ] || n="$n $x"; done; g="$n" ;;
  esac
done
for x in $g; do kill -9 "-$x" 2>/dev/null; done
`;

let watchdog: { proc: ChildProcess; stdin: Writable } | null | undefined;

function ensure(log: Logger): typeof watchdog {
  if (watchdog !== undefined) return watchdog;
  if (process.platform === 'win32') return (watchdog = null);
  try {
    // The argument after the script is $0: it names the watchdog, and the pid it guards, in ps.
    const proc = spawn('/bin/sh', ['-c', SCRIPT, `switchboard-watchdog ${process.pid}`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      cwd: '/',
    });
    const stdin = proc.stdin!;
    watchdog = { proc, stdin };
    const disable = (why: string) => {
      if (watchdog?.proc !== proc) return;
      watchdog = null;
      log.warn({ why }, 'child watchdog unavailable: a SIGKILLed bridge may leave grandchildren of its servers running');
    };
    proc.once('error', (err) => disable(err.message));
    proc.once('exit', (code, signal) => disable(`watchdog exited (${signal ?? code})`));
    stdin.on('error', (err) => disable(err.message));
    // It must never keep us alive: we exit when our own work is done, and that exit is what it waits for.
    proc.unref();
    (stdin as unknown as { unref?: () => void }).unref?.();
    return watchdog;
  } catch (err) {
    watchdog = null;
    log.warn({ why: (err as Error).message }, 'child watchdog unavailable');
    return watchdog;
  }
}

/** Lists a new child's process group with the watchdog. */
export function guardGroup(pgid: number, log: Logger = silentLogger): void {
  ensure(log)?.stdin.write(`+ ${pgid}\n`);
}

/** The group is gone (killed or ended): a later process may reuse its number, so the watchdog must forget it. */
export function releaseGroup(pgid: number): void {
  if (watchdog) watchdog.stdin.write(`- ${pgid}\n`);
}
