import { posix } from 'node:path';
import type { ArgumentConstraint } from '../config/types.js';
import { ArgumentConstraintError } from '../errors.js';

interface CompiledConstraint {
  argument: string;
  segments: string[];
  constraint: ArgumentConstraint;
  pattern?: RegExp;
  prefix?: string;
}

/**
 * Per-tool argument constraints, checked before a call leaves the gateway. Errors name the argument and the
 * rule, never the value (it may be sensitive).
 *
 * Path prefixes are checked on the POSIX-normalised path, so `..`, `.` and repeated slashes cannot climb out;
 * relative paths, backslashes and NUL are refused outright because the server would resolve them by rules the
 * gateway cannot see (its cwd, Windows separators, C strings). Symlinks inside the allowed tree are out of
 * reach of any check made here.
 */
export class ArgumentPolicy {
  private readonly byTool = new Map<string, CompiledConstraint[]>();

  /** Exposed tool name → argument (dotted path into nested objects) → constraint. */
  constructor(constraints: Readonly<Record<string, Readonly<Record<string, ArgumentConstraint>>>>) {
    for (const [tool, args] of Object.entries(constraints)) {
      this.byTool.set(
        tool,
        Object.entries(args).map(([argument, constraint]) => ({
          argument,
          segments: argument.split('.'),
          constraint,
          ...(constraint.pattern !== undefined ? { pattern: new RegExp(`^(?:${constraint.pattern})$`, 'u') } : {}),
          ...(constraint.prefix !== undefined ? { prefix: normalisePrefix(constraint.prefix) } : {}),
        })),
      );
    }
  }

  /** Throws ArgumentConstraintError for the first argument that breaks a rule. */
  check(tool: string, args: unknown): void {
    const rules = this.byTool.get(tool);
    if (!rules) return;
    for (const rule of rules) {
      const { found, value } = lookup(args, rule.segments);
      if (!found) {
        if (rule.constraint.required) throw new ArgumentConstraintError(tool, rule.argument, 'is required');
        continue;
      }
      const reason = violation(rule, value);
      if (reason) throw new ArgumentConstraintError(tool, rule.argument, reason);
    }
  }
}

function normalisePrefix(prefix: string): string {
  const normal = posix.normalize(prefix).replace(/\/+$/, '');
  return normal === '' ? '/' : normal;
}

function lookup(args: unknown, segments: string[]): { found: boolean; value?: unknown } {
  let current: unknown = args;
  for (const segment of segments) {
    if (!current || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, segment)) return { found: false };
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

function violation(rule: CompiledConstraint, value: unknown): string | undefined {
  const c = rule.constraint;
  if (rule.prefix !== undefined) {
    if (typeof value !== 'string') return 'must be a path (a string)';
    if (value.includes('\0')) return 'may not contain NUL';
    if (value.includes('\\')) return 'may not contain backslashes';
    if (!value.startsWith('/')) return `must be an absolute path under ${c.prefix}`;
    const normal = posix.normalize(value);
    const inside = rule.prefix === '/' || normal === rule.prefix || normal.startsWith(rule.prefix + '/');
    if (!inside) return `must stay under ${c.prefix}`;
  }
  if (c.enum !== undefined && !c.enum.some((allowed) => allowed === value)) {
    return `must be one of ${c.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (c.min !== undefined || c.max !== undefined) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (c.min !== undefined && value < c.min) return `must be at least ${c.min}`;
    if (c.max !== undefined && value > c.max) return `must be at most ${c.max}`;
  }
  if (c.minLength !== undefined || c.maxLength !== undefined) {
    const length = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : undefined;
    if (length === undefined) return 'must be a string or an array';
    if (c.minLength !== undefined && length < c.minLength) return `must be at least ${c.minLength} long`;
    if (c.maxLength !== undefined && length > c.maxLength) return `must be at most ${c.maxLength} long`;
  }
  if (rule.pattern !== undefined) {
    if (typeof value !== 'string') return 'must be a string';
    if (!rule.pattern.test(value)) return `must match ${c.pattern}`;
  }
  return undefined;
}
