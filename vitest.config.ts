import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Unit tests run against the sources; end-to-end tests spawn the built CLI.
    alias: {
      '@switchboard-mcp/core/serve': fileURLToPath(new URL('./packages/core/src/serve.ts', import.meta.url)),
      '@switchboard-mcp/core/client': fileURLToPath(new URL('./packages/core/src/client.ts', import.meta.url)),
      '@switchboard-mcp/core': src('core'),
      '@switchboard-mcp/openapi': src('openapi'),
      '@switchboard-mcp/gateway': src('gateway'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: end-to-end files spawn processes, so keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
