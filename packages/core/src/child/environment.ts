/**
 * The environment a stdio server starts with. The bridge's own variables (SWITCHBOARD_*: its API key, the OAuth
 * client secret, its settings) are never handed down unless named: a server that prints or logs its environment,
 * or a tool that runs commands, would give them away. npm_config_* (set by `pnpm switchboard` / `npm run`) are
 * left alone: users also set npm_config_registry and the like on purpose, for the `npx` that starts their server,
 * and the two cannot be told apart.
 */

/** What a program needs to run at all; passed even when --pass-env narrows the rest (the SDK's list, plus locale). */
const BASICS = [
  'HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'TMPDIR', 'TZ', 'LANG', 'LANGUAGE', 'LC_*',
  // Windows
  'APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PROCESSENV', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'TMP',
  'USERNAME', 'USERPROFILE', 'PROGRAMFILES', 'COMSPEC', 'PATHEXT', 'WINDIR',
];

const WITHHELD = /^SWITCHBOARD_/i;

/** A name or a prefix pattern (`MYAPP_*`); case-insensitive on Windows, where variable names are. */
function matcher(patterns: string[]): (name: string) => boolean {
  const win = process.platform === 'win32';
  const norm = (s: string) => (win ? s.toUpperCase() : s);
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('*')) prefixes.push(norm(p.slice(0, -1)));
    else exact.add(norm(p));
  }
  return (name) => {
    const n = norm(name);
    return exact.has(n) || prefixes.some((p) => n.startsWith(p));
  };
}

export interface ChildEnvSpec {
  /** Set or override these (--env K=V). */
  env?: Record<string, string>;
  /** When given, only these names/patterns (and the basics) are inherited (--pass-env). */
  passEnv?: string[];
}

export function childEnvironment(parent: NodeJS.ProcessEnv, spec: ChildEnvSpec): Record<string, string> {
  const listed = spec.passEnv ? matcher(spec.passEnv) : undefined;
  const basic = matcher(BASICS);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    // A name the user listed is passed even if it is one of ours: that was asked for explicitly.
    const keep = listed ? listed(k) || (basic(k) && !WITHHELD.test(k)) : !WITHHELD.test(k);
    if (keep) out[k] = v;
  }
  return { ...out, PYTHONUNBUFFERED: '1', ...spec.env };
}
