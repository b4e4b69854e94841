// The one home of the process and socket helpers every end-to-end test needs: a free port, waiting (bounded) for a
// condition or a port, and stopping a process group with whatever it spawned. Plain ESM so that the conformance
// scripts (run by node directly) and the TypeScript tests share it; types in process.d.mts.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race remains until the server binds it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws, naming `what`). Every wait in
 * a test is bounded; bounds are generous because CI is a loaded 2-core machine.
 */
export async function until(fn, { timeoutMs = 5000, stepMs = 25, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port, timeoutMs = 15_000) {
  const open = () =>
    new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
  await until(open, { timeoutMs, stepMs: 100, what: `port ${port} to open` });
}

/** (pid, ppid, zombie, command line) of every process (Linux /proc walk; empty elsewhere). */
function processTable() {
  let entries = [];
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out = [];
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), ppid: Number(fields[1]), zombie: fields[0] === 'Z', cmd: () => readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** PIDs of all live descendants of `pid`. */
export function descendants(pid) {
  const children = new Map();
  for (const p of processTable()) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p.pid);
  }
  const out = [];
  const stack = [pid];
  while (stack.length && out.length < 10_000) {
    for (const c of children.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** PIDs of every live (not zombie) process whose command line contains `needle`. */
export async function processesMatching(needle) {
  const out = [];
  for (const p of processTable()) {
    try {
      if (!p.zombie && p.cmd().includes(needle)) out.push(p.pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * Stops a detached child's whole process group: SIGTERM, SIGKILL after `graceMs`. Resolves when it has exited.
 * Descendants that moved to a group of their own (the bridge does this for its stdio children) are snapshotted
 * first and SIGKILLed afterwards if they outlived their parent.
 */
export function killGroup(child, graceMs = 3000) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const tree = descendants(child.pid);
    const done = () => {
      clearTimeout(timer);
      setTimeout(() => {
        for (const pid of tree) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        resolve();
      }, tree.length ? 300 : 0);
    };
    child.once('exit', done);
    const signal = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* already gone */
        }
      }
    };
    signal(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => {
      signal('SIGKILL');
      setTimeout(done, 500); // bounded even if 'exit' never fires
    }, graceMs);
  });
}
