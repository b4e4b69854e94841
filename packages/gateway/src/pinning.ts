import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { canonicalHash, canonicalJson } from './canonical-json.js';
import { PinLockError } from './errors.js';
import { lineDiff } from './line-diff.js';

/** A tool as tools/list carries it (with the name the client sees). */
export interface ToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
  [key: string]: unknown;
}

/**
 * What a pin covers: what the model reads (name, description, schemas) and the annotations, because a
 * readOnlyHint or destructiveHint that flips changes what clients approve without asking.
 */
function pinned(tool: ToolDefinition) {
  return { name: tool.name, description: tool.description, inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations };
}

export function hashToolDefinition(tool: ToolDefinition): string {
  return 'sha256:' + canonicalHash(pinned(tool));
}

/** A pin keeps the definition as well as its hash, so a change can be shown as a diff, not only detected. */
export interface PinEntry {
  hash: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

export interface PinLock {
  version: 1;
  /** Exposed tool name → pin. */
  tools: Record<string, PinEntry>;
}

const lockSchema = z.strictObject({
  version: z.literal(1),
  tools: z.record(
    z.string(),
    z.strictObject({
      hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      description: z.string().optional(),
      inputSchema: z.unknown().optional(),
      outputSchema: z.unknown().optional(),
      annotations: z.unknown().optional(),
    }),
  ),
});

/** `gateway.jsonc` → `gateway.lock.json`, beside the config. */
export function lockPathFor(configPath: string): string {
  const name = basename(configPath).replace(/\.jsonc?$/i, '');
  return join(dirname(configPath), `${name}.lock.json`);
}

export function createLock(tools: readonly ToolDefinition[]): PinLock {
  const entries = [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lock: PinLock = { version: 1, tools: {} };
  for (const tool of entries) {
    const { name: _name, ...rest } = pinned(tool);
    lock.tools[tool.name] = { hash: hashToolDefinition(tool), ...(JSON.parse(canonicalJson(rest)) as Omit<PinEntry, 'hash'>) };
  }
  return lock;
}

/** undefined when there is no lock file yet. */
export async function readLock(path: string): Promise<PinLock | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PinLockError(path, `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PinLockError(path, `not JSON: ${(e as Error).message}`);
  }
  const parsed = lockSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PinLockError(path, `${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  return parsed.data as PinLock;
}

/** Written to a temporary file in the same directory and renamed over, so a reader never sees half a lock. */
export async function writeLock(path: string, lock: PinLock): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(JSON.stringify(lock, null, 2) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(temporary, path);
  } catch (e) {
    await fsp.rm(temporary, { force: true });
    throw e;
  }
}

export interface ChangedPin {
  name: string;
  pinnedHash: string;
  currentHash: string;
  /** Readable: description and schemas, pinned (-) against current (+). */
  diff: string;
}

export interface PinComparison {
  unchanged: string[];
  changed: ChangedPin[];
  new: string[];
  removed: string[];
}

/** Every name lands in exactly one bucket; the lists are sorted. */
export function comparePins(lock: PinLock | undefined, current: readonly ToolDefinition[]): PinComparison {
  const pins = lock?.tools ?? {};
  const result: PinComparison = { unchanged: [], changed: [], new: [], removed: [] };
  const seen = new Set<string>();
  for (const tool of [...current].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    seen.add(tool.name);
    const pin = Object.hasOwn(pins, tool.name) ? pins[tool.name] : undefined;
    if (!pin) {
      result.new.push(tool.name);
      continue;
    }
    const hash = hashToolDefinition(tool);
    if (hash === pin.hash) result.unchanged.push(tool.name);
    else result.changed.push({ name: tool.name, pinnedHash: pin.hash, currentHash: hash, diff: definitionDiff(pin, tool) });
  }
  result.removed = Object.keys(pins).filter((name) => !seen.has(name)).sort();
  return result;
}

function definitionDiff(pin: PinEntry, tool: ToolDefinition): string {
  const sections: string[] = [];
  const section = (title: string, before: string, after: string) => {
    if (before !== after) sections.push(`--- ${title} (pinned)\n+++ ${title} (current)\n${lineDiff(before, after)}`);
  };
  section('description', pin.description ?? '', tool.description ?? '');
  section('inputSchema', pretty(pin.inputSchema), pretty(tool.inputSchema));
  section('outputSchema', pretty(pin.outputSchema), pretty(tool.outputSchema));
  section('annotations', pretty(pin.annotations), pretty(tool.annotations));
  return sections.join('\n') || '(the pin was made from a different definition than the one it records; re-pin)';
}

function pretty(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(JSON.parse(canonicalJson(value)), null, 2);
}
