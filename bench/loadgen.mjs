// Load generator, run as a forked child of run.mjs so its own CPU can be measured apart from the
// orchestrator and the server under test. One message in ({type:'phase', …}), one result out.
// c workers, each keeping exactly one call in flight on its session (worker i → session i % sessions).
import { Pool } from 'undici';
import { StreamableSession, SseSession, StdioSession } from './lib/mcp.mjs';
import { descendants, cpuTicks, cpuDelta, rssKb, systemTicks, CLK_TCK } from './lib/proc.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MAX_SAMPLES = 4_000_000;

async function openAll(n, make, parallel = 8) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await make().open();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  return out;
}

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function phase({ target, c, sessions, warmMs, durMs, serverPid }) {
  const pool = target.kind === 'stdio' ? null : new Pool(target.origin, { connections: c + 2, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  let sess;
  const t0open = performance.now();
  if (target.kind === 'streamable') sess = await openAll(sessions, () => new StreamableSession(pool, target.mcpPath));
  else if (target.kind === 'sse') sess = await openAll(sessions, () => new SseSession(pool, target.origin, target.ssePath));
  else sess = await openAll(1, () => new StdioSession(target.cmd, target.args));
  const openMs = performance.now() - t0open;
  const watchPid = target.kind === 'stdio' ? sess[0].pid : serverPid;

  const lat = new Float64Array(MAX_SAMPLES);
  let n = 0, errors = 0, measuring = false, stop = false;
  const worker = async (i) => {
    const s = sess[i % sess.length];
    while (!stop) {
      const t = performance.now();
      let ok = false;
      try { ok = await s.call(); } catch { ok = false; }
      const d = performance.now() - t;
      if (measuring) {
        if (ok) { if (n < MAX_SAMPLES) lat[n] = d; n++; }
        else errors++;
      }
      if (!ok && !stop) await sleep(5); // a failing target must not become a busy loop
    }
  };
  const workers = Array.from({ length: c }, (_, i) => worker(i));
  await sleep(warmMs);
  // snapshot: server process, its descendants (children), our own CPU
  const kids = watchPid ? descendants(watchPid) : [];
  const srv0 = watchPid ? cpuTicks(watchPid, kids) : null;
  const gen0 = process.cpuUsage();
  const sys0 = systemTicks();
  const t0 = performance.now();
  measuring = true;
  await sleep(durMs);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const gen = process.cpuUsage(gen0);
  const sys1 = systemTicks();
  const srv = watchPid ? cpuDelta(srv0, cpuTicks(watchPid, kids)) : { own: 0, kids: 0 };
  const serverRssKb = watchPid ? rssKb(watchPid) : 0;
  stop = true;
  await Promise.race([Promise.all(workers), sleep(10_000)]);
  await Promise.race([Promise.all(sess.map((s) => s.close())), sleep(5_000)]);
  if (pool) await Promise.race([pool.destroy(), sleep(2_000)]);

  const m = Math.min(n, MAX_SAMPLES);
  const sorted = lat.subarray(0, m).sort();
  return {
    calls: n,
    errors,
    rate: n / elapsed,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    genCpu: (gen.user + gen.system) / 1e6 / elapsed, // cores
    serverCpu: srv.own / elapsed, // cores, the bridge process itself
    childCpu: srv.kids / elapsed, // cores, its children (stdio servers)
    serverRssKb,
    // CPU used on the machine by anything that is neither the generator, the server nor its children
    foreignCpu: Math.max(0, (sys1.busy - sys0.busy) / CLK_TCK / elapsed - (gen.user + gen.system) / 1e6 / elapsed - srv.own / elapsed - srv.kids / elapsed),
    openMs,
  };
}

process.on('message', async (msg) => {
  if (msg?.type !== 'phase') return;
  try {
    const r = await phase(msg);
    process.send({ type: 'result', result: r });
  } catch (e) {
    process.send({ type: 'result', error: String(e?.stack ?? e) });
  }
});
process.on('disconnect', () => process.exit(0));
