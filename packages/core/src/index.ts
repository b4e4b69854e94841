// The whole public surface of the core. `@switchboard-mcp/core/serve` is the serving half alone.
export * from './serve.js';
export { Metrics, ToolMetrics, type ToolCallOutcome } from './metrics.js';
export * from './remote/index.js';
export * from './oauth/index.js';
