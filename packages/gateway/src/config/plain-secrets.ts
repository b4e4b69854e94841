import { joinPath } from './issues.js';
import type { ConfigWarning, GatewayConfig } from './types.js';

/**
 * Warns about literal secrets in the places they usually end up (env, headers, OpenAPI auth, URLs), so they
 * can move behind `${env:…}`. Heuristic by design: a warning, never an error, and it never echoes the value.
 */
export function detectPlainSecrets(config: GatewayConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const check = (path: string, name: string, value: string) => {
    if (!value.includes('${') && looksLikeSecret(name, value)) {
      warnings.push({
        path,
        message: `looks like a literal secret; keep it out of the file: set it in the environment and write "${suggestion(name, value)}"`,
      });
    }
  };
  for (const server of config.servers) {
    if (server.kind === 'stdio') {
      for (const [k, v] of Object.entries(server.env)) check(joinPath(server.path, 'env', k), k, v);
      checkArgs(server.path, server.args, warnings);
    } else if (server.kind === 'remote') {
      for (const [k, v] of Object.entries(server.headers)) check(joinPath(server.path, 'headers', k), k, v);
      checkUrl(joinPath(server.path, 'url'), server.url, warnings);
    } else {
      const { auth, defaultHeaders } = server.openapi;
      for (const [k, v] of Object.entries(defaultHeaders ?? {})) check(joinPath(server.path, 'openapi', 'defaultHeaders', k), k, v);
      for (const [scheme, v] of Object.entries(auth ?? {})) {
        const at = joinPath(server.path, 'openapi', 'auth', scheme);
        // Any literal credential here is a secret by definition: the field exists to hold one.
        if (typeof v === 'string') {
          if (!v.includes('${') && !v.startsWith('env:')) warnings.push({ path: at, message: `is a literal credential; write "\${env:${envName(scheme)}}"` });
        } else if ('password' in v) {
          if (!v.password.includes('${')) warnings.push({ path: joinPath(at, 'password'), message: `is a literal password; write "\${env:${envName(scheme)}_PASSWORD}"` });
        } else if (!v.clientSecret.includes('${')) {
          warnings.push({ path: joinPath(at, 'clientSecret'), message: `is a literal client secret; write "\${env:${envName(scheme)}_CLIENT_SECRET}"` });
        }
      }
    }
  }
  if (config.gateway.redis) checkUrl('gateway.redis.url', config.gateway.redis.url, warnings);
  return warnings;
}

const KNOWN_TOKEN =
  /(?:^|[\s:])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{10,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.)/;
const SECRET_NAME = /token|secret|passw(or)?d|api[-_]?key|apikey|credential|private[-_]?key|^authorization$|^pat$|_pat$|access[-_]?key/i;
const AUTH_SCHEME = /^(bearer|basic|token|bot)\s+(\S{12,})$/i;

export function looksLikeSecret(name: string, value: string): boolean {
  if (value.length < 8) return false;
  if (KNOWN_TOKEN.test(value)) return true;
  if (AUTH_SCHEME.test(value)) return true;
  if (SECRET_NAME.test(name) && !/^(true|false|yes|no|on|off|\d+)$/i.test(value) && !/\s/.test(value) && !value.startsWith('/')) return true;
  return looksRandom(value);
}

/** A long run without spaces mixing character classes with high entropy: how generated tokens look. */
function looksRandom(value: string): boolean {
  if (value.length < 24 || /\s/.test(value) || /^[a-z]+:\/\//i.test(value) || value.startsWith('/') || value.startsWith('./')) return false;
  if (!/^[A-Za-z0-9_\-+/=.~]+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  if (classes < 3) return false;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / value.length) * Math.log2(n / value.length);
  return entropy >= 3.5;
}

/** `--api-key sk-…`, `--token=…` or a bare known token format among a command's arguments. */
function checkArgs(path: string, args: readonly string[], warnings: ConfigWarning[]): void {
  args.forEach((arg, i) => {
    if (arg.includes('${')) return;
    const flag = /^--?([A-Za-z][\w-]*)=(.*)$/s.exec(arg);
    const previous = i > 0 ? /^--?([A-Za-z][\w-]*)$/.exec(args[i - 1]!) : null;
    const [name, value] = flag ? [flag[1]!, flag[2]!] : previous ? [previous[1]!, arg] : ['', arg];
    const secret = name ? SECRET_NAME.test(name) && value.length >= 8 && !value.startsWith('/') : KNOWN_TOKEN.test(arg);
    if (secret) {
      warnings.push({
        path: joinPath(path, 'args', i),
        message: `looks like a literal secret; set it in the environment and write "${flag ? `--${name}=` : ''}\${env:${envName(name || 'TOKEN')}}"`,
      });
    }
  });
}

function checkUrl(path: string, url: string, warnings: ConfigWarning[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.password && !decodeURIComponent(parsed.password).includes('${')) {
    warnings.push({ path, message: 'holds a literal password; put the whole URL (or the password) behind ${env:…}' });
  }
  for (const [k, v] of parsed.searchParams) {
    if (!v.includes('${') && looksLikeSecret(k, v)) warnings.push({ path, message: `query parameter "${k}" looks like a literal secret; use a header with \${env:…} instead` });
  }
}

function envName(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'SECRET';
}

function suggestion(name: string, value: string): string {
  const scheme = AUTH_SCHEME.exec(value);
  const variable = /^authorization$/i.test(name) ? 'API_TOKEN' : envName(name);
  return scheme ? `${scheme[1]} \${env:${variable}}` : `\${env:${variable}}`;
}
