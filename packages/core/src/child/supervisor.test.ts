import { describe, expect, it } from 'vitest';
import type { Message } from '../jsonrpc.js';
import { ChildProcessTransport } from './process-transport.js';
import { SupervisedChild } from './supervisor.js';

const node = process.execPath;

describe('ChildProcessTransport', () => {
  it('reassembles lines split mid UTF-8 sequence and across chunks, skipping non-JSON lines', async () => {
    // The child writes one message in three chunks that split a multi-byte character, plus noise.
    const script = `
      const msg = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { s: 'ü€😀'.repeat(3) } }) + '\\n');
      process.stdout.write('not json\\n');
      process.stdout.write(msg.subarray(0, 40));
      setTimeout(() => process.stdout.write(msg.subarray(40, 43)), 20);
      setTimeout(() => process.stdout.write(msg.subarray(43)), 40);
      setTimeout(() => {}, 1000);`;
    const t = new ChildProcessTransport({ command: node, args: ['-e', script] });
    const got: Message[] = [];
    t.onmessage = (m) => void got.push(m as Message);
    await t.start();
    const deadline = Date.now() + 3000;
    while (!got.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await t.close();
    expect(got).toEqual([{ jsonrpc: '2.0', method: 'n', params: { s: 'ü€😀'.repeat(3) } }]);
  });
});

describe('SupervisedChild', () => {
  it('stops restarting a server that keeps crashing', async () => {
    const errors: Error[] = [];
    let closed = false;
    const child = new SupervisedChild({ command: node, args: ['-e', 'setTimeout(() => process.exit(1), 20)'] }, { backoffMs: 1, maxBackoffMs: 5, maxCrashes: 3, crashWindowMs: 10_000 });
    child.onerror = (e) => void errors.push(e);
    child.onclose = () => void (closed = true);
    await child.start();
    const deadline = Date.now() + 5000;
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(true);
    expect(errors.map((e) => e.message).join()).toMatch(/crashed 4 times/);
  });

  it('fails in-flight requests at once when the server dies, then serves again', async () => {
    // Answers "ping", exits on "die".
    const script = `require('readline').createInterface({input: process.stdin}).on('line', l => {
      const m = JSON.parse(l);
      if (m.method === 'die') process.exit(7);
      if (m.method === 'ping') process.stdout.write(JSON.stringify({jsonrpc: '2.0', id: m.id, result: {pid: process.pid}}) + '\\n');
    });`;
    const child = new SupervisedChild({ command: node, args: ['-e', script] }, { backoffMs: 10 });
    const got: Message[] = [];
    child.onmessage = (m) => void got.push(m as Message);
    await child.start();
    await child.send({ jsonrpc: '2.0', id: 'slow', method: 'never-answered-before-death' } as never);
    await child.send({ jsonrpc: '2.0', id: 'die', method: 'die' } as never);
    const deadline = Date.now() + 3000;
    while (got.filter((m) => 'error' in m).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const errs = got.filter((m) => 'error' in m) as Array<{ id: string; error: { message: string } }>;
    expect(errs.map((e) => e.id).sort()).toEqual(['die', 'slow']);
    expect(errs[0]!.error.message).toMatch(/exited \(code 7\)/);
    await child.send({ jsonrpc: '2.0', id: 'after', method: 'ping' } as never);
    while (!got.some((m) => (m as { id?: string }).id === 'after') && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 10));
    expect(got.some((m) => (m as { id?: string }).id === 'after' && 'result' in m)).toBe(true);
    await child.close();
  });
});
