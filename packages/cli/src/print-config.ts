// `--print-config`: instead of running, print the `mcpServers` entry a desktop host (Claude Desktop, and the many
// hosts that copied its format) needs to run this same command — with absolute paths, because hosts start servers
// from a directory of their own choosing and with a PATH that is not the user's shell's.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { PACKAGE_NAME, VERSION } from './version.js';

export const printConfigOption = {
  'print-config': {
    type: 'boolean' as const,
    describe: 'print a ready-to-paste Claude Desktop "mcpServers" entry for this command line (absolute paths) and exit',
  },
};

export interface McpServerEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** How this very installation is started again: node + our script, or npx when we run from npx's throwaway cache. */
export function selfInvocation(): { command: string; args: string[] } {
  const script = realpathSync(process.argv[1]!);
  if (script.split(/[\\/]/).includes('_npx')) {
    // npx's cache is pruned: name the package (pinned to this version) instead of a path into it.
    const npx = join(dirname(process.execPath), process.platform === 'win32' ? 'npx.cmd' : 'npx');
    return { command: existsSync(npx) ? npx : 'npx', args: ['-y', `${PACKAGE_NAME}@${VERSION}`] };
  }
  return { command: process.execPath, args: [script] };
}

/** The command line as typed after the program name, without --print-config. */
function typedArgs(): string[] {
  return process.argv.slice(2).filter((a) => !/^--print-config(=.*)?$/.test(a) && a !== '--no-print-config');
}

/** Each given value (a path the user typed) made absolute wherever it appears, alone or as --flag=value. */
function absolutize(args: string[], paths: (string | undefined)[]): string[] {
  const wanted = new Map(paths.filter((p): p is string => !!p && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p)).map((p) => [p, resolve(p)]));
  return args.map((a) => {
    if (wanted.has(a)) return wanted.get(a)!;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && wanted.has(a.slice(eq + 1))) return `${a.slice(0, eq + 1)}${wanted.get(a.slice(eq + 1))}`;
    return a;
  });
}

/** Environment variables the command line reads (env:VAR, ${VAR}): the host must pass them, the user fills them in. */
function envPlaceholders(args: string[]): Record<string, string> | undefined {
  const names = new Set<string>();
  for (const a of args) {
    for (const m of a.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]!);
    for (const m of a.matchAll(/(?:^|=)env:([A-Za-z_][A-Za-z0-9_]*)$/g)) names.add(m[1]!);
  }
  if (!names.size) return undefined;
  return Object.fromEntries([...names].map((n) => [n, `<value of ${n}>`]));
}

export function printEntry(name: string, entry: McpServerEntry): void {
  process.stdout.write(JSON.stringify({ mcpServers: { [name]: entry } }, null, 2) + '\n');
  process.stderr.write(
    'switchboard: paste the entry into "mcpServers" of claude_desktop_config.json ' +
      '(macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\, Linux: ~/.config/Claude/)' +
      (entry.env ? '; fill in the "env" values' : '') +
      '\n',
  );
}

/** The entry that runs this command line as it was typed (a stdio server: `connect`, `openapi`). */
export function entryForThisCommand(paths: (string | undefined)[]): McpServerEntry {
  const self = selfInvocation();
  const args = absolutize(typedArgs(), paths);
  const env = envPlaceholders(args);
  return { command: self.command, args: [...self.args, ...args], ...(env ? { env } : {}) };
}

/**
 * The entry for a host that only speaks stdio to reach a server we serve over HTTP (`bridge`, `openapi --serve
 * http`): `switchboard connect <our URL>`, with the API key read from the environment the host passes.
 */
export function entryForServedUrl(face: { host: string; port: number; basePath: string; mcpPath: string; publicUrl?: string; apiKeys: boolean }): McpServerEntry {
  if (!face.publicUrl && face.port === 0) throw new Error('--print-config needs a fixed --port (or --public-url): the host must know where to connect');
  const host = face.host === '0.0.0.0' || face.host === '::' ? '127.0.0.1' : face.host.includes(':') ? `[${face.host}]` : face.host;
  const url = face.publicUrl ? `${face.publicUrl.replace(/\/$/, '')}${face.mcpPath}` : `http://${host}:${face.port}${face.basePath}${face.mcpPath}`;
  const self = selfInvocation();
  const args = [...self.args, 'connect', url];
  if (face.apiKeys) args.push('--header', 'Authorization: Bearer ${SWITCHBOARD_API_KEY}');
  return { command: self.command, args, ...(face.apiKeys ? { env: { SWITCHBOARD_API_KEY: '<one of the bridge API keys>' } } : {}) };
}

/** A readable key for the entry: a host name, or a file's name without its extension. */
export function entryName(hint: string | undefined, fallback: string, { file = false } = {}): string {
  const base = hint ? (file ? basename(hint, extname(hint)) : hint) : '';
  return base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || fallback;
}
