// Process helpers for the bench: spawn in a new process group, find descendants, read CPU and RSS
// from /proc, and kill everything we started. Linux only (the bench box is Linux).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import net from 'node:net';

export const CLK_TCK = 100; // getconf CLK_TCK on Linux/x86-64 and arm64

const started = new Set(); // pids (process-group leaders) we spawned

/** Spawn detached (own process group); stdout/stderr go to a log file so pipes never fill. */
export function spawnGroup(cmd, args, { logFile, env, cwd } = {}) {
  const fd = logFile ? openSync(logFile, 'w') : 'ignore';
  const child = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
    cwd,
  });
  if (typeof fd === 'number') closeSync(fd);
  started.add(child.pid);
  child.on('exit', () => started.delete(child.pid));
  child.on('error', () => started.delete(child.pid));
  return child;
}

/** Parsed /proc/<pid>/stat: ppid, pgrp, utime+stime ticks. null if gone. */
export function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] = state (field 3), so field n is rest[n-3]
    return { ppid: +rest[1], pgrp: +rest[2], ticks: +rest[11] + +rest[12] };
  } catch {
    return null;
  }
}

/** All live pids whose ancestry leads to `root` (excluding root), bounded scan of /proc. */
export function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(+d);
    if (st) parent.set(+d, st.ppid);
  }
  const out = [];
  for (const [pid] of parent) {
    let p = parent.get(pid);
    for (let hops = 0; hops < 64 && p !== undefined && p > 1; hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
      p = parent.get(p);
    }
  }
  return out;
}

/** VmRSS / VmHWM in kB from /proc/<pid>/status (0 if gone). */
export function rssKb(pid, field = 'VmRSS') {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? +m[1] : 0;
  } catch {
    return 0;
  }
}

/** CPU ticks of a pid and, separately, of its descendants (given list). */
export function cpuTicks(pid, kids) {
  const own = procStat(pid)?.ticks ?? 0;
  const per = new Map();
  for (const k of kids) per.set(k, procStat(k)?.ticks ?? 0);
  return { own, per };
}

/** CPU seconds used between two cpuTicks() snapshots; vanished kids count as 0. */
export function cpuDelta(a, b) {
  let kids = 0;
  for (const [k, t0] of a.per) {
    const t1 = b.per.get(k);
    if (t1 !== undefined && t1 >= t0) kids += t1 - t0;
  }
  return { own: (b.own - a.own) / CLK_TCK, kids: kids / CLK_TCK };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the group (and any descendants that left it), wait ≤ graceMs, then SIGKILL what is left. */
export async function killTree(pid, graceMs = 3000) {
  if (!pid) return;
  const kids = descendants(pid);
  try { process.kill(-pid, 'SIGTERM'); } catch {}
  for (const k of kids) try { process.kill(k, 'SIGTERM'); } catch {}
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (alive(pid) || kids.some(alive))) await sleep(25);
  for (const p of [pid, ...kids, ...descendants(pid)]) {
    try { process.kill(p, 'SIGKILL'); } catch {}
  }
  try { process.kill(-pid, 'SIGKILL'); } catch {}
  started.delete(pid);
}

/** Last-resort synchronous cleanup (exit / signal handlers). */
export function killAllSync() {
  for (const pid of started) {
    for (const k of descendants(pid)) try { process.kill(k, 'SIGKILL'); } catch {}
    try { process.kill(-pid, 'SIGKILL'); } catch {}
  }
  started.clear();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Wait until something accepts TCP connections on 127.0.0.1:port (bounded). */
export async function waitPort(port, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); r(true); });
      s.once('error', () => r(false));
    });
    if (ok) return true;
    await sleep(20);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Whole-machine busy and total jiffies from /proc/stat (all CPUs). */
export function systemTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, _idle, _iowait, _irq, _softirq, steal] = f;
  // irq/softirq are left out: loopback traffic of the bench itself is charged there, not to any process
  return { busy: user + nice + system + (steal || 0), total: f.reduce((a, b) => a + b, 0) - (f[8] || 0) - (f[9] || 0) };
}

/** Cores busy on the whole machine over `ms` (e.g. 1.4 = 1.4 cores' worth). */
export async function machineBusy(ms = 1000) {
  const a = systemTicks();
  const t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = systemTicks();
  return (b.busy - a.busy) / CLK_TCK / ((performance.now() - t) / 1000);
}
