import { describe, expect, it } from 'vitest';
import { childEnvironment } from './environment.js';

const parent = { PATH: '/bin', HOME: '/h', LC_ALL: 'C', SWITCHBOARD_API_KEY: 'k', switchboard_config_dir: 'd', APP_A: 'a', APP_B: 'b', OTHER: 'o', npm_config_registry: 'r' };

describe('childEnvironment', () => {
  it('inherits everything but SWITCHBOARD_* (any case), with --env on top', () => {
    expect(childEnvironment(parent, { env: { OTHER: 'x', NEW: 'n' } })).toEqual({
      PATH: '/bin', HOME: '/h', LC_ALL: 'C', APP_A: 'a', APP_B: 'b', OTHER: 'x', npm_config_registry: 'r', NEW: 'n', PYTHONUNBUFFERED: '1',
    });
  });
  it('with passEnv inherits the listed names and prefixes, the basics, and --env', () => {
    expect(childEnvironment(parent, { passEnv: ['APP_*', 'SWITCHBOARD_API_KEY'], env: { NEW: 'n' } })).toEqual({
      PATH: '/bin', HOME: '/h', LC_ALL: 'C', SWITCHBOARD_API_KEY: 'k', APP_A: 'a', APP_B: 'b', NEW: 'n', PYTHONUNBUFFERED: '1',
    });
  });
});
