// The README's first command, exactly as written there (read from the README, run by a shell from the checkout
// root): it must start the gateway on its built-in example — a stdio server, an OpenAPI spec against a local API
// and a bridged server as a remote — and print the URL and a Claude Desktop snippet. A real client lists the
// tools of all three and calls one of each; Ctrl-C (SIGINT to the command's process group, as a terminal sends it)
// stops everything it started.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ROOT, until } from './fixtures/connect-helpers.js';
import { bridgeAvailable, descendants } from './conformance/run.js';

/** The first command of the README's first shell block: its first line that is not a comment. */
function firstCommand(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const line = block.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'));
  if (!line) throw new Error('README.md has no command in its first ```sh block');
  return line.trim();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let shell: ReturnType<typeof spawn> | undefined;
afterAll(() => {
  // Only if the test failed before its own clean stop: take the whole group down.
  if (shell?.exitCode === null) {
    for (const pid of descendants(shell.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      process.kill(-shell.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

describe.skipIf(!bridgeAvailable())("the README's first command", () => {
  it('starts the example gateway with three backends; a client uses each; Ctrl-C leaves no process behind', async () => {
    const command = firstCommand();
    expect(command).toMatch(/pnpm@10 demo/);
    // Detached: the command gets its own process group, like a terminal's foreground job.
    shell = spawn('sh', ['-c', command], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    shell.stdout!.on('data', (d) => (out += d));
    shell.stderr!.on('data', (d) => (err += d));
    // pnpm install (~20 s here) and, when sources changed, a build (~40 s on a loaded box): 5× that.
    const url = await until(() => /switchboard: the example gateway — (\S+)/.exec(err)?.[1], { timeoutMs: 300_000, what: 'the example gateway to listen' }).catch((e: Error) => {
      e.message += `\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err.slice(-3000)}`;
      throw e;
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    // The Claude Desktop snippet on stdout: a `connect` entry for this very URL.
    const snippet = await until(() => {
      const at = out.indexOf('{');
      try {
        return at >= 0 ? (JSON.parse(out.slice(at)) as { mcpServers: Record<string, { command: string; args: string[] }> }) : undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 10_000, what: 'the Claude Desktop snippet' });
    const entry = snippet.mcpServers['switchboard-demo']!;
    expect(entry.args.slice(-2)).toEqual(['connect', url]);

    const client = new Client({ name: 'readme-demo', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      // Backends come up in the background: wait (bounded) until all three have listed their tools.
      const names = await until(async () => {
        const n = (await client.listTools()).tools.map((t) => t.name);
        return ['demo__', 'notes__', 'remote__'].every((p) => n.some((x) => x.startsWith(p))) ? n : undefined;
      }, { timeoutMs: 60_000, what: 'tools of all three backends' });
      expect(names).toEqual(expect.arrayContaining(['demo__echo', 'demo__add', 'notes__listNotes', 'notes__addNote', 'notes__getNote', 'remote__echo']));
      const text = (r: { content?: unknown }) => JSON.stringify(r.content);
      expect(text(await client.callTool({ name: 'demo__add', arguments: { a: 2, b: 40 } }))).toContain('42');
      const added = await client.callTool({ name: 'notes__addNote', arguments: { text: 'from the readme test' } });
      expect(added.isError, text(added)).toBeFalsy();
      expect(text(await client.callTool({ name: 'notes__listNotes', arguments: {} }))).toContain('from the readme test');
      expect(text(await client.callTool({ name: 'remote__echo', arguments: { text: 'through the bridge' } }))).toContain('through the bridge');
    } finally {
      await client.close();
    }

    // Ctrl-C: SIGINT to the foreground group. Everything the command started must be gone afterwards.
    const started = descendants(shell.pid!);
    expect(started.length).toBeGreaterThan(2);
    const exited = new Promise<number | null>((r) => shell!.once('exit', (code) => r(code)));
    process.kill(-shell.pid!, 'SIGINT');
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`the command did not exit within 30 s of SIGINT\n${err.slice(-2000)}`)), 30_000))]);
    const left = await until(() => {
      const l = started.filter(alive);
      return l.length === 0 ? [] : undefined;
    }, { timeoutMs: 15_000, what: 'every process the command started to exit' }).catch(() => started.filter(alive));
    expect(left, `left running: ${left.map((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return String(p); } }).join('; ')}`).toEqual([]);
    expect(err).toMatch(/shutting down/);
  }, 420_000);
});
