import { JsoncSyntaxError, parseJsonc as parseJsoncText } from '@switchboard-mcp/core/serve';
import { GatewayConfigError } from '../errors.js';

/**
 * JSON with comments and trailing commas (the dialect of VS Code's settings.json and mcp.json), read by core's
 * parser — the same one that reads key files — with its errors as a GatewayConfigError. It refuses duplicate keys
 * (a second "github" entry would silently replace the first) and the key "__proto__", and never quotes the text
 * in an error (a config may hold secrets): it names a line and a column.
 */
export function parseJsonc(text: string, source: string, kind?: string): unknown {
  if (/^\s*$/.test(text)) throw new GatewayConfigError(source, [{ path: '', message: 'the file is empty' }], kind);
  try {
    return parseJsoncText(text);
  } catch (err) {
    if (!(err instanceof JsoncSyntaxError)) throw err;
    const onlyComments = err.what.startsWith('expected a value, found end of file') && /^\s*$/.test(text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''));
    throw new GatewayConfigError(source, [{ path: '', message: onlyComments ? 'the file holds only comments' : `${err.what} at line ${err.line}, column ${err.column}` }], kind);
  }
}
