#!/usr/bin/env node
// Bundles the `switchboard` command into dist/bundle/: the workspace packages and every third-party dependency
// inside, so the published package installs with no dependencies and starts without resolving hundreds of
// node_modules files (module loading was most of the cold start). Each command stays a separate chunk that
// loads only when that command runs.
//
// dist/bundle/ sits at the same depth as dist/commands/ on purpose: bridge.ts finds the demo server at
// ../../examples relative to its own module, and that must hold in both layouts.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${cli}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

const started = Date.now();
const result = await build({
  entryPoints: { switchboard: `${cli}dist/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // ESM builds first: some packages' "main" is a UMD build whose relative require()s a bundle cannot follow
  // (jsonc-parser's ./impl/format), while their "module" build imports statically.
  mainFields: ['module', 'main'],
  target: 'node20.19',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  // CommonJS dependencies (pino, yargs' helpers, ajv…) call require() for Node built-ins; an ESM bundle has no
  // require of its own, so give it Node's.
  banner: { js: "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);" },
  legalComments: 'none', // collected whole into THIRD_PARTY_LICENSES below
  sourcemap: false,
  minifySyntax: true,
  minifyWhitespace: true,
  metafile: true,
  logLevel: 'warning',
});
let bytes = 0;
for (const out of Object.values(result.metafile.outputs)) bytes += out.bytes;
process.stderr.write(`bundle: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KB in ${Date.now() - started} ms → ${outdir}\n`);

// The bundle redistributes third-party code: ship each bundled package's licence text alongside it.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m) continue;
  const dir = m[1];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const key = `${pkg.name}@${pkg.version}`;
  if (packages.has(key)) continue;
  const licenceFile = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
  packages.set(key, { license: pkg.license ?? 'UNKNOWN', text: licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : '' });
}
const sections = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([key, { license, text }]) => `## ${key} (${license})\n\n${text || '(no licence file in the package)'}\n`);
// Our own licence travels inside the bundle folder, the only folder `files` publishes besides examples.
writeFileSync(join(outdir, 'LICENSE'), readFileSync(new URL('../../../LICENSE', import.meta.url), 'utf8'));
writeFileSync(join(outdir, 'THIRD_PARTY_LICENSES.md'), `# Third-party code in this bundle\n\n${sections.join('\n')}`);
process.stderr.write(`bundle: ${packages.size} third-party packages, licences in THIRD_PARTY_LICENSES.md\n`);
