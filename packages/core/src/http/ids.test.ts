import { describe, expect, it } from 'vitest';
import { clientText } from '../jsonrpc.js';
import { checkIds, isIntegral, rawNumbers } from './ids.js';

describe('isIntegral', () => {
  it('reads integers however they are written', () => {
    for (const t of ['0', '-0', '7', '1e400', '1152921504606846976', '100e-2', '0.5e1', '1.50e2', '-3E+2']) expect(isIntegral(t), t).toBe(true);
    for (const t of ['1.5', '1e-400', '0.1', '-2.25e1']) expect(isIntegral(t), t).toBe(false);
  });
});

describe('rawNumbers', () => {
  it('finds the id, progress token and cancelled request id of each message, nowhere else', () => {
    const text = '[{"params":{"id":1e9,"_meta":{"progressToken":2e400}},"id":1e400,"jsonrpc":"2.0"}, {"id": 12.0 ,"params":{"requestId":3.5}}]';
    const raw = rawNumbers(text, true);
    expect(Object.fromEntries(raw)).toEqual({ '0/params._meta.progressToken': '2e400', '0/id': '1e400', '1/id': '12.0', '1/params.requestId': '3.5' });
  });
  it('walks a deeply nested body without recursion', () => {
    const text = `{"id":1e400,"params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(rawNumbers(text, false).get('0/id')).toBe('1e400');
  });
});

describe('checkIds', () => {
  const check = (text: string) => {
    const parsed = JSON.parse(text);
    return { problem: checkIds(parsed, text), parsed };
  };
  it('carries numbers JavaScript cannot hold as their exact text, back to the client byte for byte', () => {
    for (const n of ['1e400', '1152921504606846976', '-9007199254740993']) {
      const { problem, parsed } = check(`{"jsonrpc":"2.0","id":${n},"method":"ping","params":{"_meta":{"progressToken":${n}}}}`);
      expect(problem).toBeUndefined();
      expect(clientText({ jsonrpc: '2.0', id: parsed.id, result: {} })).toBe(`{"jsonrpc":"2.0","id":${n},"result":{}}`);
      expect(clientText({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: parsed.params._meta.progressToken, progress: 1 } })).toBe(
        `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":${n},"progress":1}}`,
      );
    }
  });
  it('leaves safe integers and strings alone', () => {
    const { problem, parsed } = check('{"jsonrpc":"2.0","id":42,"method":"ping","params":{"_meta":{"progressToken":"t"}}}');
    expect(problem).toBeUndefined();
    expect(parsed.id).toBe(42);
    expect(check('{"jsonrpc":"2.0","id":0,"method":"ping"}').parsed.id).toBe(0);
  });
  it('refuses ids and tokens that are not a string or an integer', () => {
    for (const bad of ['1.5', '{}', '[]', 'true', '1e-400']) {
      expect(check(`{"jsonrpc":"2.0","id":${bad},"method":"ping"}`).problem, bad).toMatch(/the id must be a string or an integer/);
      expect(check(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"progressToken":${bad}}}}`).problem, bad).toMatch(/progressToken must be a string or an integer/);
    }
    expect(check('{"jsonrpc":"2.0","id":null,"method":"ping"}').problem).toMatch(/not null/);
    // An error answer from the client may carry id null.
    expect(check('{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"x"}}').problem).toBeUndefined();
  });
});
