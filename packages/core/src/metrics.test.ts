import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

describe('Metrics#tools', () => {
  it('is absent from a bridge that never uses it, and counts calls by server, tool and outcome when used', async () => {
    const m = new Metrics();
    expect((await m.render()).body).not.toContain('switchboard_tool_calls_total');
    m.tools.started('echo', 'echo__echo');
    expect((await m.render()).body).toMatch(/switchboard_tool_calls_in_flight\{server="echo",tool="echo__echo"\} 1/);
    m.tools.finished('echo', 'echo__echo', 'ok', 0.003);
    m.tools.refused('echo', 'echo__echo', 'denied');
    m.tools.refused('', '', 'unknown-tool');
    const body = (await m.render()).body;
    expect(body).toMatch(/switchboard_tool_calls_in_flight\{server="echo",tool="echo__echo"\} 0/);
    expect(body).toMatch(/switchboard_tool_calls_total\{server="echo",tool="echo__echo",outcome="ok"\} 1/);
    expect(body).toMatch(/switchboard_tool_calls_total\{server="echo",tool="echo__echo",outcome="denied"\} 1/);
    expect(body).toMatch(/switchboard_tool_calls_total\{server="",tool="",outcome="unknown-tool"\} 1/);
    expect(body).toMatch(/switchboard_tool_call_duration_seconds_bucket\{le="0.005",server="echo",tool="echo__echo"\} 1/);
    expect(body).toMatch(/switchboard_tool_call_duration_seconds_count\{server="echo",tool="echo__echo"\} 1/);
  });
});
