import { describe, expect, it } from 'vitest';
import { ParamHeaderRule } from './param-headers.js';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    count: { type: 'integer', 'x-mcp-header': 'Count' },
    nested: { type: 'object', properties: { flag: { type: 'boolean', 'x-mcp-header': 'Flag' } } },
    note: { type: 'string' },
  },
};
const rule = new ParamHeaderRule();
rule.learn({ tools: [{ name: 'regional', inputSchema: schema }, { name: 'plain', inputSchema: { type: 'object' } }] });
const b64 = (s: string) => `=?base64?${Buffer.from(s).toString('base64')}?=`;
const call = (name: string, args: Record<string, unknown>) => ({ method: 'tools/call', params: { name, arguments: args } });

describe('Mcp-Param-* headers against x-mcp-header arguments', () => {
  it.each([
    ['header equals the argument', { 'mcp-param-region': 'eu-west' }, { region: 'eu-west' }, undefined],
    ['Base64 form of the argument', { 'mcp-param-region': b64('zürich') }, { region: 'zürich' }, undefined],
    ['argument absent: no header needed', {}, { note: 'x' }, undefined],
    ['argument null: a header sent anyway is ignored', { 'mcp-param-region': 'x' }, { region: null }, undefined],
    ['integers compare as numbers', { 'mcp-param-count': '42.0' }, { count: 42 }, undefined],
    ['nested property', { 'mcp-param-flag': 'true' }, { nested: { flag: true } }, undefined],
    ['header missing', {}, { region: 'eu-west' }, 'absent'],
    ['header disagrees', { 'mcp-param-region': 'us-east' }, { region: 'eu-west' }, 'decodes to "us-east"'],
    ['Base64 with bad padding', { 'mcp-param-region': '=?base64?ZXUtd2VzdA=?=' }, { region: 'eu-west' }, 'invalid Base64'],
    ['Base64 with a bad character', { 'mcp-param-region': '=?base64?ZXUtd2Vzd!==?=' }, { region: 'eu-west' }, 'invalid Base64'],
    ['nested header disagrees', { 'mcp-param-flag': 'false' }, { nested: { flag: true } }, 'arguments.nested.flag'],
  ])('%s', (_why, headers, args, refused) => {
    const r = rule.check(headers, call('regional', args));
    if (refused === undefined) expect(r).toBeUndefined();
    else expect(r).toMatchObject({ status: 400, code: -32020, message: expect.stringContaining(refused as string) });
  });

  it('checks only tools/call of tools a tools/list has shown', () => {
    expect(rule.check({}, call('plain', { region: 'x' }))).toBeUndefined();
    expect(rule.check({}, call('never-listed', { region: 'x' }))).toBeUndefined();
    expect(rule.check({}, { method: 'prompts/get', params: { name: 'regional', arguments: { region: 'x' } } })).toBeUndefined();
  });
});
