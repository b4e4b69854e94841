/** Shared shapes of the compiled tool table. Plain JSON so a table can be cached or shipped. */

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export type JsonSchema = Record<string, unknown>;

/** How one tool argument becomes part of the HTTP request. */
export interface ParamBinding {
  /** Property name in the tool's inputSchema. */
  arg: string;
  location: ParamLocation;
  /** Name on the wire. */
  name: string;
  style: string;
  explode: boolean;
  allowReserved: boolean;
  required: boolean;
  /** Set when the parameter uses `content` instead of `schema`: the value is sent JSON-encoded. */
  contentType?: string;
}

export interface BodyEncoding {
  contentType?: string;
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
}

export interface BodyBinding {
  mediaType: string;
  required: boolean;
  /** `properties`: body object assembled from flattened args; `whole`: one arg is the body. */
  mode: 'properties' | 'whole';
  /** Arg holding the whole body (mode `whole`). */
  arg?: string;
  /** Flattened properties: arg name → property name (mode `properties`). */
  props?: Array<{ arg: string; name: string }>;
  /** Per-property encoding (form and multipart bodies). */
  encoding?: Record<string, BodyEncoding>;
  /** Properties (or `*` for the whole body) carried as base64 in arguments and sent as bytes. */
  binary: string[];
  /**
   * Other JSON media types the operation accepts, with the argument shape each takes: a call whose
   * body is an array goes as the `array` one (e.g. JSON Patch), an object as the `object` one.
   */
  alternatives?: Array<{ mediaType: string; kind: 'array' | 'object' | 'any' }>;
  /** Argument shape of `mediaType` itself, set with `alternatives`. */
  kind?: 'array' | 'object' | 'any';
}

export interface ServerTemplate {
  url: string;
  variables?: Record<string, { default: string; enum?: string[] }>;
}

/** OR of ANDs: any one entry satisfied in full authorises the call; `{}` means anonymous. */
export type SecurityRequirements = Array<Record<string, string[]>>;

export interface ToolAnnotations {
  title?: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface CompiledTool {
  name: string;
  operationId?: string;
  method: HttpMethod;
  path: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: ToolAnnotations;
  params: ParamBinding[];
  body?: BodyBinding;
  /** Effective servers (operation > path > root); empty means the root servers / baseUrl. */
  servers: ServerTemplate[];
  /** Undefined means none declared anywhere. */
  security?: SecurityRequirements;
  /** The first 2xx JSON response schema as written in the spec; converted lazily when a call needs it. */
  responseSchema?: unknown;
  tags: string[];
  deprecated: boolean;
}

export interface SkippedOperation {
  method: string;
  path: string;
  operationId?: string;
  reason: string;
}
