import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { GatewayConfigError, type ConfigIssue } from '../errors.js';

/**
 * JSON with comments and trailing commas, the dialect VS Code's settings.json and mcp.json use. jsonc-parser is
 * Microsoft's parser for exactly that dialect (no dependencies, error offsets); a hand-written stripper would have
 * to re-learn its string/escape edge cases.
 *
 * Beyond the syntax it refuses duplicate keys (a second "github" entry would silently replace the first) and the
 * key "__proto__" (assigning it would change the parsed object's prototype).
 */
export function parseJsonc(text: string, source: string, kind?: string): unknown {
  if (/^\s*$/.test(text)) throw new GatewayConfigError(source, [{ path: '', message: 'the file is empty' }], kind);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const issues: ConfigIssue[] = errors.map((e) => ({
    path: '',
    message: `${describeParseError(printParseErrorCode(e.error))} at ${position(text, e.offset)}`,
  }));
  if (!root && issues.length === 0) issues.push({ path: '', message: 'the file holds only comments' });
  if (root) checkKeys(root, text, issues);
  if (issues.length) throw new GatewayConfigError(source, issues, kind);
  return getNodeValue(root!);
}

function describeParseError(code: string): string {
  // printParseErrorCode gives identifiers such as "CommaExpected"; spell them as words.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function checkKeys(node: Node, text: string, issues: ConfigIssue[]): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const keyNode = property.children?.[0];
      const key = keyNode?.value as string | undefined;
      if (key === undefined) continue;
      if (key === '__proto__') issues.push({ path: '', message: `the key "__proto__" is not allowed (${position(text, keyNode!.offset)})` });
      else if (seen.has(key)) issues.push({ path: '', message: `duplicate key "${key}" at ${position(text, keyNode!.offset)}; each key may appear once per object` });
      seen.add(key);
      const valueNode = property.children?.[1];
      if (valueNode) checkKeys(valueNode, text, issues);
    }
  } else if (node.type === 'array') {
    for (const child of node.children ?? []) checkKeys(child, text, issues);
  }
}
