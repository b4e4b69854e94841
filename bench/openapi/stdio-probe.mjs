// Starts one MCP server over stdio in its own process group and measures, from the spawn:
// the wall time until tools/list is answered (initialize → initialized → tools/list), the tools/list
// latency distribution afterwards, and the server's peak RSS (VmHWM from /proc, read before it is killed).
// Usage (library): probeStdio({ command, args, cwd, env, listCalls, warmups, startTimeoutMs })
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

function vmHwmMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number((status.match(/VmHWM:\s*(\d+)\s*kB/) ?? [])[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function probeStdio({ command, args, cwd, env, listCalls = 100, warmups = 10, startTimeoutMs = 120_000, callTimeoutMs = 30_000 }) {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const pending = new Map();
  let exited;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  // Newline-delimited JSON-RPC; responses can be megabytes, so keep chunks and split on newlines.
  let chunks = [];
  child.stdout.on('data', (data) => {
    let start = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, start)) {
      chunks.push(data.subarray(start, i));
      const line = Buffer.concat(chunks).toString('utf8');
      chunks = [];
      start = i + 1;
      if (!line.trim()) continue;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // a server that prints non-JSON to stdout: ignore the line
      }
      const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
      if (waiter) {
        pending.delete(message.id);
        waiter(message);
      }
    }
    if (start < data.length) chunks.push(data.subarray(start));
  });
  let nextId = 1;
  const request = (method, params, timeoutMs) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms${exited ? ` (server exited ${JSON.stringify(exited)})` : ''}`));
      }, timeoutMs);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result);
      });
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }) + '\n');
    });
  const kill = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 2_000);
    await exitPromise;
    clearTimeout(timer);
  };
  try {
    const deadline = Date.now() + startTimeoutMs;
    await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } }, startTimeoutMs);
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    const first = await request('tools/list', {}, Math.max(1_000, deadline - Date.now()));
    const readyMs = performance.now() - t0;
    const tools = first.tools.length;
    const payloadBytes = Buffer.byteLength(JSON.stringify(first));
    for (let i = 0; i < warmups; i++) await request('tools/list', {}, callTimeoutMs);
    const samples = [];
    for (let i = 0; i < listCalls; i++) {
      const start = performance.now();
      await request('tools/list', {}, callTimeoutMs);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const peakRssMb = vmHwmMb(child.pid);
    return { ok: true, readyMs, tools, payloadBytes, listP50Ms: samples[Math.floor(samples.length * 0.5)], listP95Ms: samples[Math.floor(samples.length * 0.95)], peakRssMb };
  } catch (error) {
    return { ok: false, error: error.message, stderr: stderr.slice(-2_000) };
  } finally {
    await kill();
  }
}
