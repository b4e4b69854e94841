import { describe, expect, it } from 'vitest';
import * as sdk from '@modelcontextprotocol/server';
import { LATEST_SESSION_PROTOCOL_VERSION, META, MODERN_PROTOCOL_VERSION, SESSION_PROTOCOL_VERSIONS } from './protocol.js';
import { ErrorCode } from './jsonrpc.js';

// protocol.ts writes the SDK's constants out (importing the SDK costs every start 150+ ms): they must not drift.
describe('protocol constants agree with the SDK', () => {
  it('session versions are the SDK’s supported versions we serve, newest first', () => {
    expect(SDK_SUPPORTED().slice(0, SESSION_PROTOCOL_VERSIONS.length)).toEqual([...SESSION_PROTOCOL_VERSIONS]);
    expect(LATEST_SESSION_PROTOCOL_VERSION).toBe(sdk.LATEST_PROTOCOL_VERSION);
  });
  it('the modern revision is the one the SDK speaks statelessly', () => {
    expect(SDK_SUPPORTED()).not.toContain(MODERN_PROTOCOL_VERSION);
    expect(MODERN_PROTOCOL_VERSION).toBe('2026-07-28');
  });
  it('_meta keys', () => {
    expect(META.protocolVersion).toBe(sdk.PROTOCOL_VERSION_META_KEY);
    expect(META.clientInfo).toBe(sdk.CLIENT_INFO_META_KEY);
    expect(META.clientCapabilities).toBe(sdk.CLIENT_CAPABILITIES_META_KEY);
    expect(META.logLevel).toBe(sdk.LOG_LEVEL_META_KEY);
    expect(META.serverInfo).toBe(sdk.SERVER_INFO_META_KEY);
    expect(META.subscriptionId).toBe(sdk.SUBSCRIPTION_ID_META_KEY);
  });
  it('the 2026-07-28 error codes', () => {
    expect(ErrorCode.MissingRequiredClientCapability).toBe(sdk.ProtocolErrorCode.MissingRequiredClientCapability);
    expect(ErrorCode.UnsupportedProtocolVersion).toBe(sdk.ProtocolErrorCode.UnsupportedProtocolVersion);
    expect(ErrorCode.InvalidParams).toBe(sdk.ProtocolErrorCode.InvalidParams);
  });
});

function SDK_SUPPORTED(): string[] {
  return [...(sdk.SUPPORTED_PROTOCOL_VERSIONS as readonly string[])];
}
