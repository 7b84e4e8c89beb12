import { resolveStatus } from './http-error.ts';
import { expandMediaType } from './media-type.ts';
import { isSchema, normaliseModel, type NormalisedModel, type Schema } from './schema.ts';

/** A declared path/query parameter or header. */
export interface ParamDefinition {
  readonly schema: Schema | undefined;
  readonly description: string | undefined;
}

/** A declared request body; `model: null` with no content types means "no body expected". */
export interface BodyDefinition {
  readonly model: NormalisedModel | null;
  readonly contentTypes: readonly string[] | null;
  readonly description: string | undefined;
}

/** A declared response (or error) for one status. */
export interface ResponseDefinition {
  readonly model: NormalisedModel | null;
  readonly contentTypes: readonly string[];
  readonly description: string | undefined;
  readonly isError: boolean;
}

function splitSchemaAndDescription(schema: unknown, description: unknown): ParamDefinition {
  if (typeof schema === 'string' && description === undefined) return { schema: undefined, description: schema };
  return { schema: isSchema(schema) ? schema : undefined, description: typeof description === 'string' ? description : undefined };
}

function looksLikeMediaTypes(x: unknown): x is string | string[] {
  if (Array.isArray(x)) return x.length > 0 && x.every((e) => typeof e === 'string');
  return typeof x === 'string' && (x.includes('/') || expandMediaType(x) !== x);
}

/**
 * The documentation/validation metadata shared by routers, endpoints and `use()` mounts
 * (ArangoDB's SwaggerContext). Every method is chainable.
 */
export class SwaggerContext {
  /** Declared path parameters by name. */
  readonly pathParams = new Map<string, ParamDefinition>();
  /** Declared query parameters by name. */
  readonly queryParams = new Map<string, ParamDefinition>();
  /** Declared headers by lower-cased name. */
  readonly headers = new Map<string, ParamDefinition>();
  /** Declared responses and errors by status. */
  readonly responses = new Map<number, ResponseDefinition>();
  bodyParam: BodyDefinition | undefined;
  summaryText: string | undefined;
  descriptionText: string | undefined;
  tags: string[] = [];
  isDeprecated = false;
  readonly securitySchemes = new Map<string, { type: string; options: Record<string, unknown>; description: string | undefined }>();
  readonly security = new Map<string, boolean>();

  /** Declares a path parameter (`:name`); a failing schema makes the route not match. */
  pathParam(name: string, schema?: unknown, description?: string): this {
    this.pathParams.set(name, splitSchemaAndDescription(schema, description));
    return this;
  }

  /** Declares a query parameter; a failing schema answers 400. */
  queryParam(name: string, schema?: unknown, description?: string): this {
    this.queryParams.set(name, splitSchemaAndDescription(schema, description));
    return this;
  }

  /** Declares a request header; a failing schema answers 400. */
  header(name: string, schema?: unknown, description?: string): this {
    this.headers.set(name.toLowerCase(), splitSchemaAndDescription(schema, description));
    return this;
  }

  /**
   * Declares the request body: `.body(model?, mimes?, description?)`. `.body(null)` means no body;
   * `.body(['text/plain'])` accepts a type without a schema; a model defaults to JSON.
   */
  body(model?: unknown, mimes?: unknown, description?: string): this {
    let m: unknown = model;
    let types: unknown = mimes;
    let desc = description;
    if (looksLikeMediaTypes(m)) {
      desc = typeof types === 'string' ? types : desc;
      types = m;
      m = undefined;
    } else if (typeof m === 'string') {
      desc = m;
      m = undefined;
    }
    if (typeof types === 'string' && !looksLikeMediaTypes(types)) {
      desc = types;
      types = undefined;
    }
    if (m === null) {
      this.bodyParam = { model: null, contentTypes: null, description: desc };
      return this;
    }
    const normalised = normaliseModel(m) ?? null;
    const list = types === undefined ? ['application/json'] : (Array.isArray(types) ? types : [types]).map((t) => expandMediaType(String(t)));
    this.bodyParam = { model: normalised, contentTypes: list, description: desc };
    return this;
  }

  /** Declares a response: `.response([status=200], [model], [mimes], [description])`. */
  response(status?: unknown, model?: unknown, mimes?: unknown, description?: string): this {
    let args: unknown[] = [status, model, mimes, description];
    let code = 200;
    const first = args[0];
    const firstStatus = typeof first === 'number' || (typeof first === 'string' && !looksLikeMediaTypes(first)) ? safeStatus(first) : undefined;
    if (firstStatus !== undefined) {
      code = firstStatus;
      args = args.slice(1);
    } else if (args[0] === null) {
      code = 204;
    }
    let [m, types, desc] = args;
    if (looksLikeMediaTypes(m)) {
      desc = types;
      types = m;
      m = undefined;
    } else if (typeof m === 'string') {
      desc = m;
      m = undefined;
    }
    if (typeof types === 'string' && !looksLikeMediaTypes(types)) {
      desc = types;
      types = undefined;
    }
    const normalised = m === null || m === undefined ? null : normaliseModel(m) ?? null;
    const list = types === undefined ? (normalised === null ? [] : ['application/json']) : (Array.isArray(types) ? types : [types]).map((t) => expandMediaType(String(t)));
    this.responses.set(code, { model: normalised, contentTypes: list, description: typeof desc === 'string' ? desc : undefined, isError: false });
    return this;
  }

  /** Documents an error status. */
  error(status: number | string, description?: string): this {
    const code = safeStatus(status) ?? 500;
    this.responses.set(code, { model: null, contentTypes: ['application/json'], description, isError: true });
    return this;
  }

  summary(text: string): this {
    this.summaryText = text;
    return this;
  }

  description(text: string): this {
    this.descriptionText = text;
    return this;
  }

  tag(...tags: string[]): this {
    this.tags.push(...tags);
    return this;
  }

  deprecated(flag = true): this {
    this.isDeprecated = flag;
    return this;
  }

  /** Documents a security scheme (`basic`, `apiKey`, `oauth2`) for Swagger. */
  securityScheme(type: string, options: Record<string, unknown> = {}, description?: string): this {
    const id = typeof options.id === 'string' ? options.id : type;
    this.securitySchemes.set(id, { type, options, description });
    return this;
  }

  /** Enables or disables a security scheme for this route. */
  securityScope(id: string): this {
    this.security.set(id, true);
    return this;
  }
}

function safeStatus(status: number | string): number | undefined {
  try {
    return resolveStatus(status);
  } catch {
    return undefined;
  }
}

/** Merges metadata of a chain of contexts, later ones overriding earlier ones. */
export function mergeContexts(contexts: readonly SwaggerContext[]): SwaggerContext {
  const merged = new SwaggerContext();
  for (const c of contexts) {
    for (const [k, v] of c.pathParams) merged.pathParams.set(k, v);
    for (const [k, v] of c.queryParams) merged.queryParams.set(k, v);
    for (const [k, v] of c.headers) merged.headers.set(k, v);
    for (const [k, v] of c.responses) merged.responses.set(k, v);
    for (const [k, v] of c.securitySchemes) merged.securitySchemes.set(k, v);
    for (const [k, v] of c.security) merged.security.set(k, v);
    if (c.bodyParam !== undefined) merged.bodyParam = c.bodyParam;
    if (c.summaryText !== undefined) merged.summaryText = c.summaryText;
    if (c.descriptionText !== undefined) merged.descriptionText = c.descriptionText;
    merged.tags.push(...c.tags.filter((t) => !merged.tags.includes(t)));
    if (c.isDeprecated) merged.isDeprecated = true;
  }
  return merged;
}
