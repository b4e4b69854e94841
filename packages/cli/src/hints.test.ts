import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '@switchboard-mcp/core/serve';
import { warnSlowLauncher } from './hints.js';

function fakeLog() {
  const warn = vi.fn();
  const info = vi.fn();
  return { log: { warn, info } as unknown as Logger, warn, info };
}

describe('warnSlowLauncher', () => {
  it('warns once, at start-up, when a launcher runs per session', () => {
    const { log, warn } = fakeLog();
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(warnSlowLauncher('/usr/local/bin/npx', ['-y', 'some-server'], 'per-session', log)).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0]![0])).toMatch(/npx runs again for every new session.*--prestart N.*--isolation shared/);
    } finally {
      write.mockRestore();
    }
  });

  it('stays quiet for a shared child or a directly run server', () => {
    const { log, warn } = fakeLog();
    expect(warnSlowLauncher('npx', ['-y', 'x'], 'shared', log)).toBe(false);
    expect(warnSlowLauncher('python', ['server.py'], 'per-session', log)).toBe(false);
    expect(warnSlowLauncher('/usr/bin/node', ['dist/index.js'], 'per-session', log)).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it('with --prestart, says once (info) that sessions mostly no longer wait, and writes no note', () => {
    const { log, warn, info } = fakeLog();
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(warnSlowLauncher('uvx', ['some-server'], 'per-session', log, 2)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      expect(info).toHaveBeenCalledTimes(1);
      expect(String(info.mock.calls[0]![1])).toMatch(/--prestart 2 keeps 2 started ahead/);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});
