import { sha256Hex } from './canonical-json.js';

/** The strictest rule among major clients (OpenAI, Cursor, Claude): no dots, at most 64 characters. */
export const EXPOSED_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const NAME_SEPARATOR = '__';
export const DEFAULT_NAME_BUDGET = 64;
/** Room for a readable head plus the `_` + hash suffix of a shortened name. */
export const MIN_NAME_BUDGET = 16;
const HASH_LENGTH = 10;

/** Each character outside the safe set becomes `_`, one for one, so the mapping never depends on context. */
export function sanitizeNamePart(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]/gu, '_');
  return cleaned.length ? cleaned : '_';
}

/** A server's default prefix: its config key made safe. */
export function defaultPrefix(serverKey: string): string {
  return sanitizeNamePart(serverKey);
}

/**
 * `prefix__tool`, always prefixed, so adding a backend never renames another backend's tools; an empty prefix (one
 * server configured to keep its own names) gives the sanitized tool name alone. Over budget, the
 * name keeps its head and ends in `_` + a hash of the unshortened original (prefix and raw tool name): two long
 * names never collide, and a name is the same on every run and every replica.
 */
export function exposedName(prefix: string, tool: string, budget = DEFAULT_NAME_BUDGET): string {
  if (!Number.isInteger(budget) || budget < MIN_NAME_BUDGET || budget > 64) {
    throw new RangeError(`name budget must be an integer from ${MIN_NAME_BUDGET} to 64, got ${budget}`);
  }
  const full = prefix === '' ? sanitizeNamePart(tool) : `${sanitizeNamePart(prefix)}${NAME_SEPARATOR}${sanitizeNamePart(tool)}`;
  if (full.length <= budget) return full;
  const suffix = '_' + sha256Hex(`${prefix}\u0000${tool}`).slice(0, HASH_LENGTH);
  const head = full.slice(0, budget - suffix.length).replace(/[_-]+$/, '');
  return (head || 'x') + suffix;
}

export interface NameSource {
  /** The server's config key. */
  server: string;
  prefix: string;
  /** Names as the upstream lists them, in its order. */
  names: readonly string[];
  /** upstream name → the name to use after the prefix. */
  rename?: Readonly<Record<string, string>>;
}

export interface NamedEntry {
  exposed: string;
  server: string;
  /** The upstream's own name, what a call is forwarded with. */
  original: string;
}

export type NameWarning =
  | { kind: 'collision'; exposed: string; kept: { server: string; original: string }; dropped: { server: string; original: string }; message: string }
  | { kind: 'unknown-rename'; server: string; original: string; message: string }
  | { kind: 'duplicate'; server: string; original: string; message: string };

export interface NameTableOptions {
  budget?: number;
}

interface Candidate extends NamedEntry {
  sourceIndex: number;
  order: number;
  renamed: boolean;
}

/**
 * Exposed name ↔ (server, upstream name), for one kind of named thing (tools, or prompts). Calls are routed
 * through the reverse map, never by splitting on `__`: prefixes and tool names may both contain `__`.
 */
export class NameTable {
  private readonly byExposed = new Map<string, NamedEntry>();
  private readonly byOriginal = new Map<string, string>();

  private constructor(
    readonly entries: readonly NamedEntry[],
    readonly warnings: readonly NameWarning[],
  ) {
    for (const entry of entries) {
      this.byExposed.set(entry.exposed, entry);
      this.byOriginal.set(originalKey(entry.server, entry.original), entry.exposed);
    }
  }

  /**
   * A collision drops the one losing name, with a warning; it never fails the build. Which one wins does not
   * depend on the order an upstream lists its tools in: an explicit rename beats a derived name, then the
   * earlier server in the config, then the smaller upstream name.
   */
  static build(sources: readonly NameSource[], options: NameTableOptions = {}): NameTable {
    const budget = options.budget ?? DEFAULT_NAME_BUDGET;
    const warnings: NameWarning[] = [];
    const candidates: Candidate[] = [];
    sources.forEach((source, sourceIndex) => {
      const seen = new Set<string>();
      source.names.forEach((original, order) => {
        if (seen.has(original)) {
          warnings.push({ kind: 'duplicate', server: source.server, original, message: `${source.server} lists "${original}" more than once; the later copy is ignored` });
          return;
        }
        seen.add(original);
        const renamedTo = source.rename && Object.hasOwn(source.rename, original) ? source.rename[original]! : undefined;
        const exposed = exposedName(source.prefix, renamedTo ?? original, budget);
        candidates.push({ exposed, server: source.server, original, sourceIndex, order, renamed: renamedTo !== undefined });
      });
      for (const target of Object.keys(source.rename ?? {})) {
        if (!seen.has(target)) {
          warnings.push({ kind: 'unknown-rename', server: source.server, original: target, message: `${source.server}: rename names "${target}", which the server does not list` });
        }
      }
    });

    const winners = new Map<string, Candidate>();
    const ranked = [...candidates].sort(
      (a, b) => Number(b.renamed) - Number(a.renamed) || a.sourceIndex - b.sourceIndex || compareStrings(a.original, b.original),
    );
    for (const candidate of ranked) {
      const kept = winners.get(candidate.exposed);
      if (!kept) {
        winners.set(candidate.exposed, candidate);
        continue;
      }
      warnings.push({
        kind: 'collision',
        exposed: candidate.exposed,
        kept: { server: kept.server, original: kept.original },
        dropped: { server: candidate.server, original: candidate.original },
        message: `"${candidate.exposed}" from ${candidate.server}.${candidate.original} collides with ${kept.server}.${kept.original}; ${candidate.server}.${candidate.original} is hidden (give it a "rename" to expose it)`,
      });
    }
    const entries = candidates
      .filter((c) => winners.get(c.exposed) === c)
      .sort((a, b) => a.sourceIndex - b.sourceIndex || a.order - b.order)
      .map(({ exposed, server, original }) => ({ exposed, server, original }));
    return new NameTable(entries, warnings);
  }

  resolve(exposed: string): NamedEntry | undefined {
    return this.byExposed.get(exposed);
  }

  exposedFor(server: string, original: string): string | undefined {
    return this.byOriginal.get(originalKey(server, original));
  }
}

function originalKey(server: string, original: string): string {
  return `${server}\u0000${original}`;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
