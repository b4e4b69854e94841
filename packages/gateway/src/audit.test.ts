import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, argumentsHash, type AuditCallInput, type AuditFs } from './audit.js';

const fixed = () => new Date('2026-11-29T12:00:00.000Z');
const call = (over: Partial<AuditCallInput> = {}): AuditCallInput => ({
  callerId: 'ci',
  sessionId: 's1',
  server: 'github',
  tool: 'github__create_issue',
  arguments: { title: 'secret title', body: 'x' },
  durationMs: 12.4,
  outcome: 'ok',
  bytesIn: 40,
  bytesOut: 300,
  ...over,
});

function tmp(): string {
  return join(mkdtempSync(join(tmpdir(), 'sb-audit-')), 'logs', 'audit.jsonl');
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('argumentsHash', () => {
  it('is the same for the same arguments in any key order, and differs otherwise', () => {
    expect(argumentsHash({ a: 1, b: { c: [1, 2] } })).toBe(argumentsHash({ b: { c: [1, 2] }, a: 1 }));
    expect(argumentsHash({ a: 1 })).not.toBe(argumentsHash({ a: 2 }));
    expect(argumentsHash(undefined)).toBe(argumentsHash({}));
    expect(argumentsHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives null for values JSON cannot hold', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(argumentsHash(circular)).toBeNull();
    expect(argumentsHash({ n: 1n })).toBeNull();
  });
});

describe('AuditLog', () => {
  it('writes the trace id, the gateway hop span and the caller span when the call carried a trace context', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1 << 20, keep: 2, now: fixed });
    audit.call(call({ trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', spanId: 'aaaaaaaaaaaaaaaa' } }));
    audit.call(call());
    await audit.close();
    const [traced, plain] = lines(path);
    expect(traced).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: 'aaaaaaaaaaaaaaaa', parentSpanId: '00f067aa0ba902b7' });
    expect(plain).not.toHaveProperty('traceId');
  });

  it('writes one JSON line per call, with the hash and never the arguments', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1 << 20, keep: 2, now: fixed });
    audit.call(call());
    audit.call(call({ outcome: 'denied', sessionId: undefined, errorCode: 'SB_TOOL_DENIED', durationMs: 0 }));
    await audit.close();
    const [first, second] = lines(path);
    expect(first).toEqual({
      time: '2026-11-29T12:00:00.000Z',
      event: 'call',
      caller: 'ci',
      session: 's1',
      server: 'github',
      tool: 'github__create_issue',
      argsSha256: argumentsHash({ title: 'secret title', body: 'x' }),
      durationMs: 12,
      outcome: 'ok',
      bytesIn: 40,
      bytesOut: 300,
    });
    expect(second).toMatchObject({ session: null, outcome: 'denied', error: 'SB_TOOL_DENIED' });
    expect(readFileSync(path, 'utf8')).not.toContain('secret title');
  });

  it('records pin drift with its diff', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1 << 20, keep: 1, now: fixed });
    audit.pinDrift({ server: 'gh', tool: 'gh__x', change: 'changed', pinnedHash: 'a', currentHash: 'b', diff: '-old\n+new' });
    await audit.close();
    expect(lines(path)[0]).toEqual({ time: '2026-11-29T12:00:00.000Z', event: 'pin-drift', server: 'gh', tool: 'gh__x', change: 'changed', pinnedHash: 'a', currentHash: 'b', diff: '-old\n+new' });
  });

  it('appends to an existing file and rotates by size, keeping N', async () => {
    const path = tmp();
    const first = new AuditLog({ path, maxBytes: 1024, keep: 2, now: fixed });
    first.call(call());
    await first.close();
    const lineBytes = readFileSync(path).length;
    const perFile = Math.floor(1024 / lineBytes);
    const audit = new AuditLog({ path, maxBytes: 1024, keep: 2, now: fixed });
    const total = perFile * 4 + 1;
    for (let i = 1; i < total; i++) audit.call(call({ bytesIn: 10 + (i % 10) }));
    await audit.close();
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(readFileSync(p).length).toBeLessThanOrEqual(1024);
    expect(lines(`${path}.1`)).toHaveLength(perFile);
    expect(audit.dropped).toBe(0);
  });

  it('with keep 0, starts the file afresh instead of keeping old ones', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1024, keep: 0, now: fixed });
    for (let i = 0; i < 30; i++) audit.call(call());
    await audit.close();
    expect(existsSync(`${path}.1`)).toBe(false);
    expect(readFileSync(path).length).toBeLessThanOrEqual(1024);
  });

  it('writes a line larger than maxBytes alone rather than losing it', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1024, keep: 1, now: fixed });
    audit.call(call());
    audit.call(call({ callerId: 'c'.repeat(2000) }));
    await audit.close();
    expect(lines(path)[0].caller).toHaveLength(2000);
    expect(lines(`${path}.1`)[0].caller).toBe('ci');
  });

  it('never throws on a failing disk: logs once, counts drops, and recovers', async () => {
    let broken = true;
    const written: string[] = [];
    const fs: AuditFs = {
      appendFile: async (_p, d) => {
        if (broken) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        written.push(d);
      },
      rename: async () => {},
      rm: async () => {},
      size: async () => 0,
      mkdir: async () => {},
    };
    const messages: string[] = [];
    const audit = new AuditLog({ path: '/x/audit.jsonl', maxBytes: 1 << 20, keep: 1, fs, log: (m) => messages.push(m), now: fixed });
    for (let i = 0; i < 3; i++) {
      expect(() => audit.call(call())).not.toThrow();
      await audit.flush();
    }
    expect(audit.dropped).toBe(3);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/cannot be written \(ENOSPC\)/);
    broken = false;
    audit.call(call());
    await audit.close();
    expect(written).toHaveLength(1);
    expect(messages[1]).toMatch(/writable again \(3 lines dropped/);
  });

  it('never throws when the directory cannot be created', async () => {
    const messages: string[] = [];
    const blocker = join(mkdtempSync(join(tmpdir(), 'sb-audit-')), 'file');
    writeFileSync(blocker, '');
    const audit = new AuditLog({ path: join(blocker, 'audit.jsonl'), maxBytes: 1 << 20, keep: 1, log: (m) => messages.push(m) });
    audit.call(call());
    await audit.close();
    expect(audit.dropped).toBe(1);
    expect(messages[0]).toMatch(/cannot be written \((ENOTDIR|EEXIST)\)/);
  });

  it('bounds the queue and counts what it drops, and what comes after close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fs: AuditFs = { appendFile: () => gate, rename: async () => {}, rm: async () => {}, size: async () => 0, mkdir: async () => {} };
    const audit = new AuditLog({ path: '/x/a', maxBytes: 1 << 20, keep: 1, fs, maxPending: 5, log: () => {} });
    audit.call(call()); // taken by the first batch, which then waits on the gate
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 8; i++) audit.call(call());
    expect(audit.dropped).toBe(3);
    release();
    await audit.close();
    audit.call(call());
    expect(audit.dropped).toBe(4);
  });

  it('writes a line with a null hash for arguments it cannot serialise', async () => {
    const path = tmp();
    const audit = new AuditLog({ path, maxBytes: 1 << 20, keep: 1 });
    audit.call(call({ arguments: { n: 10n } }));
    await audit.close();
    expect(lines(path)[0].argsSha256).toBeNull();
  });
});
