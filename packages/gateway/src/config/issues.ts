import type { z } from 'zod';
import type { ConfigIssue } from '../errors.js';

type PathSegment = PropertyKey;

/** `mcpServers.github.url`, `servers["my.server"].args[2]`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

export function joinPath(base: string, ...segments: PathSegment[]): string {
  const rest = jsonPath(segments);
  if (!base) return rest;
  if (!rest) return base;
  return rest.startsWith('[') ? base + rest : `${base}.${rest}`;
}

/** zod issues as path-named messages a user can act on; unknown keys get a "did you mean". */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], known: (path: readonly PathSegment[]) => readonly string[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closest(key, known(issue.path));
        out.push({ path: jsonPath([...issue.path, key]), message: `unknown key${suggestion ? `; did you mean "${suggestion}"?` : ''}` });
      }
    } else if (issue.code === 'invalid_union') {
      out.push({ path: jsonPath(issue.path), message: unionMessage(issue) });
    } else if (issue.code === 'invalid_key') {
      out.push({ path: jsonPath(issue.path), message: issue.issues[0]?.message ?? issue.message });
    } else {
      out.push({ path: jsonPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/** "expected string or object, received number" rather than one zod sentence per branch. */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const firsts = issue.errors.map((branch) => branch[0]).filter((i): i is z.core.$ZodIssue => i !== undefined);
  if (firsts.length && firsts.every((i) => i.code === 'invalid_type' && i.path.length === 0)) {
    const expected = [...new Set(firsts.map((i) => (i as z.core.$ZodIssueInvalidType).expected))];
    const received = /received (\w+)/.exec(firsts[0]!.message)?.[1];
    return `expected ${expected.join(' or ')}${received ? `, received ${received}` : ''}`;
  }
  // A branch of the right type failed on its own terms: its message is the useful one.
  const specific = firsts.find((i) => i.code !== 'invalid_type' || i.path.length > 0);
  return specific ? `${jsonPath(specific.path) ? jsonPath(specific.path) + ': ' : ''}${specific.message}` : issue.message;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
