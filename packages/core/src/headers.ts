import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { registerSecret } from './log.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * "Name: value" → [name, value], with `${ENV}` expanded. The one header parser: a value may not carry CR or LF
 * (they would smuggle a second header), a name must be an RFC 9110 token.
 */
export function parseHeaderLine(line: string, where: string, env: NodeJS.ProcessEnv = process.env): [string, string] {
  const i = line.indexOf(':');
  if (i <= 0) throw new ConfigError(`${where} "${line}": expected "Name: value"`);
  const name = line.slice(0, i).trim();
  if (!TOKEN.test(name)) throw new ConfigError(`${where}: "${name}" is not a valid header name`);
  const value = line
    .slice(i + 1)
    .trim()
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
      const got = env[v];
      if (got === undefined) throw new ConfigError(`${where} ${name}: environment variable ${v} is not set`);
      return got;
    });
  if (/[\r\n\0]/.test(value)) throw new ConfigError(`${where} ${name}: the value contains a line break or NUL, which would forge headers`);
  return [name, value];
}

/** Headers from lines and a header file, each value registered as a secret. */
export function collectHeaders(lines: string[] = [], file?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const all: [string, string][] = [];
  if (file) {
    for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const l = raw.trim();
      if (l && !l.startsWith('#')) all.push([l, `--header-file ${file}:`]);
    }
  }
  for (const h of lines) all.push([h, '--header']);
  for (const [l, where] of all) {
    const [k, v] = parseHeaderLine(l, where);
    out[k] = v;
    registerSecret(v);
  }
  return out;
}
