import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';

// The top-level help is rendered from the table without loading the command modules; it must say what they say.
describe('command table', () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    it(`${name}: same command and description as its module`, async () => {
      const mod = (await entry.load()) as { command: string; describe: string };
      expect(entry.command).toBe(mod.command);
      expect(entry.describe).toBe(mod.describe);
    });
  }
});
