import { z } from 'zod';
import { fileSchema } from './schema.js';

/**
 * A JSON Schema (draft 2020-12) of the config file as written (durations and sizes as strings or numbers),
 * derived from the same zod schemas the loader validates with, so editors can complete and check a file
 * through its `$schema` without a second description that could drift. Cross-field rules (one of command / url
 * / openapi, prefix uniqueness) stay with the loader.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(fileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
