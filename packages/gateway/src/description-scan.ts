/**
 * Flags text in tool definitions that a model may read as orders the user never sees: invisible or
 * direction-changing characters, instructions aimed at the model, links to hosts nobody vouched for, and
 * descriptions long enough to hide any of that. A finding is a prompt for a human to look, not a verdict.
 */
export type FindingKind =
  | 'invisible-character'
  | 'bidi-control'
  | 'tag-characters'
  | 'model-instruction'
  | 'hidden-tag'
  | 'sensitive-path'
  | 'unknown-host'
  | 'long-text';

export interface Finding {
  kind: FindingKind;
  /** Where in the definition: `description`, `inputSchema.properties.path.description`, … */
  field: string;
  /** The offending text with some context, invisible and control characters written as \u{…}. */
  excerpt: string;
}

export interface ScanOptions {
  /** Hosts links may point to; a host matches itself and its subdomains. */
  trustedHosts?: readonly string[];
  /** Characters past which a text is "unusually long". Default 1024. */
  maxLength?: number;
}

// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class lists invisible code points on purpose, one by one
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200D\u2060-\u2064\u3164\uFE00-\uFE0F\uFEFF\uFFA0]+/gu;
const BIDI = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]+/gu;
const TAGS = /[\u{E0000}-\u{E007F}]+/gu;

const INSTRUCTIONS: RegExp[] = [
  /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|other|system)\s+(?:instructions?|prompts?|rules?|messages?)/giu,
  /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|reveal|show|notify|alert)\s+(?:this\s+|it\s+)?(?:to\s+)?(?:the\s+)?user/giu,
  /\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?user/giu,
  /\b(?:the\s+)?user\s+(?:must|should)\s+not\s+(?:know|see|be\s+told)/giu,
  // Not "call" or "fetch": "before using this tool, call list_projects" is an honest and common description.
  /\bbefore\s+(?:using|calling|invoking)\s+(?:this|the|any)\s+tool\b[^.]{0,80}?\b(?:read|send|include|pass|open|upload)\b/giu,
  /\b(?:you|the\s+(?:assistant|model|ai))\s+(?:must|should|have\s+to|need\s+to)\s+(?:first\s+|always\s+)?(?:read|send|pass|include|upload|exfiltrate)\b/giu,
  /\b(?:pass|send|include|put)\s+(?:its|the|their)\s+(?:full\s+)?(?:content|contents)\s+(?:as|in|into)\b/giu,
  /\b(?:this\s+is\s+)?(?:very\s+)?(?:important|critical)\s*:\s*(?:you|the\s+(?:assistant|model))\b/giu,
  /\bsystem\s+prompt\b/giu,
];

const HIDDEN_TAGS = /<\s*\/?\s*(?:important|system|instructions?|secret|hidden|admin|sudo|assistant|prompt)\b[^<>]{0,200}>|\[\s*(?:system|inst|important)\s*\]/giu;

const SENSITIVE_PATHS =
  /(?:~|\$HOME|\/home\/[^\s/]+|\/Users\/[^\s/]+)?\/\.(?:ssh|aws|gnupg|kube|docker|netrc|npmrc|pypirc|git-credentials|config\/gcloud)\b[^\s"'`)]*|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\/etc\/(?:passwd|shadow|sudoers)\b|\bmcp\.json\b|\bclaude_desktop_config\.json\b|(?:^|[\s"'`(])\.env\b/giu;

const URL_PATTERN = /\b(?:https?|ftp|wss?):\/\/[^\s"'`<>)\]]+/giu;

export function scanText(text: string, field: string, options: ScanOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const add = (kind: FindingKind, index: number, length: number) => findings.push({ kind, field, excerpt: excerpt(text, index, length) });
  for (const m of text.matchAll(TAGS)) {
    // Tag characters mirror ASCII; spelling out what they say is the most useful thing to show.
    const hidden = [...m[0]].map((ch) => String.fromCodePoint(ch.codePointAt(0)! - 0xe0000)).join('');
    findings.push({ kind: 'tag-characters', field, excerpt: `hidden text: ${escapeText(hidden.replace(/[^\x20-\x7E]/g, ''))}` });
  }
  for (const m of text.matchAll(INVISIBLE)) add('invisible-character', m.index, m[0].length);
  for (const m of text.matchAll(BIDI)) add('bidi-control', m.index, m[0].length);
  // Instructions are matched on the text with invisible characters removed, so "ig\u200Bnore" does not slip by.
  const visible = text.replace(INVISIBLE, '').replace(BIDI, '').replace(TAGS, '');
  const addVisible = (kind: FindingKind, index: number, length: number) => findings.push({ kind, field, excerpt: excerpt(visible, index, length) });
  for (const pattern of INSTRUCTIONS) for (const m of visible.matchAll(pattern)) addVisible('model-instruction', m.index, m[0].length);
  for (const m of visible.matchAll(HIDDEN_TAGS)) addVisible('hidden-tag', m.index, m[0].length);
  for (const m of visible.matchAll(SENSITIVE_PATHS)) addVisible('sensitive-path', m.index, m[0].length);
  for (const m of visible.matchAll(URL_PATTERN)) {
    const host = hostOf(m[0]);
    if (host === undefined || !isTrusted(host, options.trustedHosts ?? [])) addVisible('unknown-host', m.index, m[0].length);
  }
  const maxLength = options.maxLength ?? 1024;
  if ([...text].length > maxLength) findings.push({ kind: 'long-text', field, excerpt: `${[...text].length} characters (more than ${maxLength})` });
  return capPerKind(findings);
}

const MAX_PER_KIND = 5;

/** A hostile text can hold thousands of matches; a reviewer needs a few examples and a count. */
function capPerKind(findings: Finding[]): Finding[] {
  const counts = new Map<FindingKind, number>();
  const out: Finding[] = [];
  for (const f of findings) {
    const n = (counts.get(f.kind) ?? 0) + 1;
    counts.set(f.kind, n);
    if (n <= MAX_PER_KIND) out.push(f);
  }
  for (const [kind, n] of counts) {
    if (n > MAX_PER_KIND) out.push({ kind, field: out.find((f) => f.kind === kind)!.field, excerpt: `and ${n - MAX_PER_KIND} more` });
  }
  return out;
}

/** One description on its own (`check` on a prompt, a resource, a server's instructions). */
export function scanDescription(text: string, options: ScanOptions = {}): Finding[] {
  return scanText(text, 'description', options);
}

/** A tool's description, title, annotations' title and every description/title inside its schemas. */
export function scanToolDefinition(
  tool: { name: string; title?: unknown; description?: unknown; inputSchema?: unknown; outputSchema?: unknown; annotations?: unknown },
  options: ScanOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  if (typeof tool.description === 'string') findings.push(...scanText(tool.description, 'description', options));
  if (typeof tool.title === 'string') findings.push(...scanText(tool.title, 'title', options));
  for (const [field, schema] of [['inputSchema', tool.inputSchema], ['outputSchema', tool.outputSchema], ['annotations', tool.annotations]] as const) {
    walkSchema(schema, field, 0, (text, path) => findings.push(...scanText(text, path, options)));
  }
  return findings;
}

/** Strings a model reads in a schema: description, title, and string enum / default / examples values. */
function walkSchema(node: unknown, path: string, depth: number, visit: (text: string, path: string) => void): void {
  if (depth > 32 || !node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkSchema(item, `${path}[${i}]`, depth + 1, visit));
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const at = `${path}.${key}`;
    if (typeof value === 'string') {
      if (key === 'description' || key === 'title' || key === 'default') visit(value, at);
    } else if ((key === 'enum' || key === 'examples') && Array.isArray(value)) {
      value.forEach((v, i) => typeof v === 'string' && visit(v, `${at}[${i}]`));
    } else {
      walkSchema(value, at, depth + 1, visit);
    }
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url.replace(/[.,;:!?]+$/, '')).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function isTrusted(host: string, trusted: readonly string[]): boolean {
  return trusted.some((t) => {
    const h = t.toLowerCase().replace(/^\*\./, '');
    return host === h || host.endsWith(`.${h}`);
  });
}

function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  // A match can be a whole hostile megabyte; its first 80 characters show what it is.
  const end = Math.min(text.length, index + Math.min(length, 80) + 30);
  return `${start > 0 ? '…' : ''}${escapeText(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

/** Control, format (zero-width, bidi), private-use and unassigned characters become \u{…}; line breaks \n. */
export function escapeText(text: string): string {
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: invisible and combining code points are what this escapes
  return text.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029\u115F\u1160\u3164\uFFA0\u034F\u180B-\u180F\uFE00-\uFE0F]/gu, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    return `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`;
  });
}
