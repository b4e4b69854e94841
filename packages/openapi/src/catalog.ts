import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileOptions, ToolTable } from './compile.js';
import { BuildError } from './errors.js';
import type { LoadedSpec, LoadOptions, OpenApiDocument } from './load.js';

/**
 * A compiled catalog: the tool table as plain JSON, without the spec document. It is both the
 * start-up cache (in the config dir, keyed by the spec's content and the selection) and the
 * artifact `switchboard openapi build` writes for people who review and commit their tools.
 */
export const CATALOG_FORMAT = 'switchboard-openapi-catalog';
/** Bumped whenever the shape of a compiled tool or the meaning of a compile option changes. */
export const CATALOG_VERSION = 1;

export interface CatalogInput {
  /** Absolute path as read. */
  path: string;
  sha256: string;
}

export interface Catalog {
  format: typeof CATALOG_FORMAT;
  version: number;
  /** Cache key: the compiler build, the spec files' contents and the options that shape the tools. */
  key: string;
  spec: { source: string; inputs: CatalogInput[] };
  options: Record<string, unknown>;
  table: Omit<ToolTable, 'document' | 'loadDocument'>;
}

/** Compile options that change which tools exist or what they look like (loading policy does not). */
export function shapingOptions(options: CompileOptions): Record<string, unknown> {
  const keys: Array<keyof CompileOptions> = ['include', 'exclude', 'includeDeprecated', 'maxTools', 'maxTokens', 'nameBudget', 'rename', 'descriptionBudget', 'mediaTypes', 'pageBytes'];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

let compilerStamp: Promise<string> | undefined;
/**
 * Identifies the compiler that wrote a catalog: the format version plus the build time of this module
 * (every build rewrites it), so a rebuilt adapter never trusts tools an older build compiled.
 */
function compiler(): Promise<string> {
  compilerStamp ??= stat(fileURLToPath(import.meta.url)).then(
    (info) => `${CATALOG_VERSION}:${Math.round(info.mtimeMs)}`,
    () => `${CATALOG_VERSION}`,
  );
  return compilerStamp;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function keyFor(rootSha: string, options: CompileOptions): Promise<string> {
  return sha256(JSON.stringify({ compiler: await compiler(), spec: rootSha, options: shapingOptions(options) }));
}

/**
 * Cache file name: `<slot>-<key>.json`. The slot (spec path + options) is where one spec's catalog lives;
 * the key adds the content. Writing a new key for a slot removes the slot's older files, so editing a
 * spec a hundred times leaves one entry, not a hundred.
 */
function cacheSlot(path: string, options: CompileOptions): string {
  return sha256(JSON.stringify({ path, options: shapingOptions(options) })).slice(0, 16);
}

export async function toCatalog(spec: LoadedSpec, table: ToolTable, options: CompileOptions): Promise<Catalog> {
  const inputs = await Promise.all(spec.files.map(async (path) => ({ path, sha256: sha256(await readFile(path)) })));
  const { document: _document, loadDocument: _load, ...rest } = table;
  return {
    format: CATALOG_FORMAT,
    version: CATALOG_VERSION,
    key: await keyFor(inputs[0]?.sha256 ?? '', options),
    spec: { source: spec.source, inputs },
    options: shapingOptions(options),
    table: rest,
  };
}

/** Parses and checks a catalog's envelope; a catalog from another format or version is refused by name. */
export function parseCatalog(text: string, where: string): Catalog {
  let parsed: Partial<Catalog>;
  try {
    parsed = JSON.parse(text) as Partial<Catalog>;
  } catch {
    throw new BuildError(`${where} is not a compiled catalog (not JSON). Build one with: switchboard openapi build <spec> -o tools.json`, 'CATALOG');
  }
  if (parsed?.format !== CATALOG_FORMAT || !parsed.table || !Array.isArray(parsed.table.tools)) {
    throw new BuildError(`${where} is not a compiled catalog (expected "format": "${CATALOG_FORMAT}"). Build one with: switchboard openapi build <spec> -o tools.json`, 'CATALOG');
  }
  if (parsed.version !== CATALOG_VERSION) {
    throw new BuildError(`${where} was built by a different switchboard (catalog version ${String(parsed.version)}, this one reads ${CATALOG_VERSION}): rebuild it with switchboard openapi build.`, 'CATALOG');
  }
  return parsed as Catalog;
}

/** Whether every input file is still there with the same content. */
async function inputsUnchanged(inputs: CatalogInput[], first?: { path: string; sha256: string }): Promise<boolean> {
  for (const input of inputs) {
    if (first && input.path === first.path) {
      if (input.sha256 !== first.sha256) return false;
      continue;
    }
    const bytes = await readFile(input.path).catch(() => undefined);
    if (!bytes || sha256(bytes) !== input.sha256) return false;
  }
  return true;
}

/**
 * The table from a catalog. The spec document (needed only to check responses against their schemas)
 * is loaded on first need, and only from the very files the catalog was built from.
 */
export function fromCatalog(catalog: Catalog, loadOptions: LoadOptions = {}): ToolTable {
  const inputs = catalog.spec.inputs;
  return {
    ...catalog.table,
    ...(inputs.length
      ? {
          loadDocument: async (): Promise<OpenApiDocument> => {
            if (!(await inputsUnchanged(inputs))) throw new BuildError(`the spec ${catalog.spec.source} changed since the catalog was built (or is not at hand)`, 'CATALOG');
            const { loadSpec } = await import('./load.js');
            return (await loadSpec(inputs[0]!.path, loadOptions)).document;
          },
        }
      : {}),
  };
}

export async function readCatalogFile(path: string, loadOptions: LoadOptions = {}): Promise<ToolTable> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new BuildError(`Cannot read the catalog ${path}: file not found.`, 'CATALOG');
  });
  return fromCatalog(parseCatalog(text, path), loadOptions);
}

/** Writes through a temporary file and a rename, so a reader never sees half a catalog. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export interface CacheOptions {
  /** Directory holding cached catalogs (e.g. `<config dir>/openapi-cache`). */
  dir: string;
  log?: (line: string) => void;
  /** The root spec file's bytes and SHA-256, when the caller already read them (e.g. while modules loaded). */
  root?: { bytes: Buffer; sha256: string };
}

export type CacheOutcome = 'hit' | 'miss' | 'uncacheable';

/**
 * Load + compile through the cache. A hit needs only the spec's bytes (hashed) and the catalog:
 * no parsing, no compiling. A miss compiles and writes the catalog for next time (a failed write
 * is logged and ignored: the cache is an optimisation, never a requirement).
 */
export async function loadCompiledCached(
  source: string,
  options: LoadOptions & CompileOptions,
  cache: CacheOptions,
): Promise<{ table: ToolTable; cache: CacheOutcome; write?: Promise<void> }> {
  const local = !/^https?:\/\//i.test(source);
  if (local) {
    const path = resolvePath(source);
    const bytes = cache.root?.bytes ?? (await readFile(path).catch(() => undefined));
    if (bytes) {
      const rootSha = cache.root?.sha256 ?? sha256(bytes);
      const file = join(cache.dir, `${cacheSlot(path, options)}-${await keyFor(rootSha, options)}.json`);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text) {
        try {
          const catalog = parseCatalog(text, file);
          if (catalog.spec.inputs[0]?.path === path && (await inputsUnchanged(catalog.spec.inputs, { path, sha256: rootSha }))) {
            return { table: fromCatalog(catalog, options), cache: 'hit' };
          }
        } catch {
          // A damaged or foreign file is a miss; it is overwritten below.
        }
      }
    }
  }
  const [{ loadSpec }, { compile }] = await Promise.all([import('./load.js'), import('./compile.js')]);
  const spec = await loadSpec(source, options);
  const table = compile(spec, options);
  if (spec.remote || spec.files.length === 0) return { table, cache: 'uncacheable' };
  const slot = cacheSlot(resolvePath(source), options);
  const write = toCatalog(spec, table, options)
    .then(async (catalog) => {
      const name = `${slot}-${catalog.key}.json`;
      await writeAtomically(join(cache.dir, name), JSON.stringify(catalog));
      for (const stale of await readdir(cache.dir)) if (stale.startsWith(`${slot}-`) && stale !== name && stale.endsWith('.json')) await rm(join(cache.dir, stale), { force: true });
    })
    .catch((error: Error) => cache.log?.(`compiled catalog not cached (${error.message}); the next start compiles again.`));
  return { table, cache: 'miss', write };
}
