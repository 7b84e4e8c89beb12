/** Result of a schema validation, as joi returns it. */
export interface ValidationResult {
  readonly value: unknown;
  readonly error?: { readonly message: string } | undefined | null;
}

/** Anything with joi's `validate` (joi schemas, or hand-written validators). */
export interface Schema {
  validate(value: unknown): ValidationResult;
  describe?(): unknown;
}

/** A Foxx "model": a schema plus optional converters. */
export interface Model {
  readonly schema?: Schema;
  fromClient?(value: unknown): unknown;
  forClient?(value: unknown): unknown;
}

/** A model after normalisation: arrays (`[schema]`) and plain objects of schemas are wrapped. */
export interface NormalisedModel {
  readonly schema: Schema | undefined;
  readonly multiple: boolean;
  readonly fromClient: ((value: unknown) => unknown) | undefined;
  readonly forClient: ((value: unknown) => unknown) | undefined;
}

/** True for joi schemas and other objects with a `validate` method. */
export function isSchema(x: unknown): x is Schema {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { validate?: unknown }).validate === 'function';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) return true;
  // A plain object from a service's own realm (its vm context has another Object.prototype).
  const ctor = (proto as { constructor?: unknown }).constructor;
  return Object.getPrototypeOf(proto) === null && typeof ctor === 'function' && ctor.name === 'Object';
}

// Validates every element of an array with one schema; describes itself like joi's array().items().
function arraySchema(item: Schema): Schema {
  return {
    validate(value: unknown): ValidationResult {
      if (!Array.isArray(value)) return { value, error: { message: '"value" must be an array' } };
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = item.validate(value[i]);
        if (r.error) return { value, error: { message: r.error.message.replace(/^"value"/, `"[${i}]"`) } };
        out.push(r.value);
      }
      return { value: out };
    },
    describe: () => ({ type: 'array', items: [item.describe?.() ?? { type: 'any' }] }),
  };
}

// A plain object of schemas (`{name: joi.string()}`) validated key by key.
function objectSchema(keys: Readonly<Record<string, Schema>>): Schema {
  return {
    validate(value: unknown): ValidationResult {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { value, error: { message: '"value" must be of type object' } };
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [key, schema] of Object.entries(keys)) {
        const r = schema.validate(out[key]);
        if (r.error) return { value, error: { message: r.error.message.replace(/^"value"/, `"${key}"`) } };
        if (r.value !== undefined) out[key] = r.value;
      }
      return { value: out };
    },
    describe: () => ({ type: 'object', keys: Object.fromEntries(Object.entries(keys).map(([k, s]) => [k, s.describe?.() ?? { type: 'any' }])) }),
  };
}

/**
 * Normalises what services pass as a model: a joi schema, `{schema, fromClient, forClient}`,
 * `[model]` (array of it) or a plain object of schemas. Returns `undefined` for anything else.
 */
export function normaliseModel(x: unknown): NormalisedModel | undefined {
  if (Array.isArray(x)) {
    if (x.length !== 1) return undefined;
    const inner = normaliseModel(x[0]);
    if (inner === undefined) return undefined;
    const fromClient = inner.fromClient;
    const forClient = inner.forClient;
    return {
      schema: inner.schema === undefined ? undefined : arraySchema(inner.schema),
      multiple: true,
      fromClient: fromClient === undefined ? undefined : (v) => (Array.isArray(v) ? v.map((e) => fromClient(e)) : v),
      forClient: forClient === undefined ? undefined : (v) => (Array.isArray(v) ? v.map((e) => forClient(e)) : v),
    };
  }
  if (isSchema(x)) return { schema: x, multiple: false, fromClient: undefined, forClient: undefined };
  if ((typeof x === 'object' || typeof x === 'function') && x !== null) {
    const m = x as Model & Record<string, unknown>;
    if (isSchema(m.schema) || typeof m.fromClient === 'function' || typeof m.forClient === 'function') {
      return {
        schema: isSchema(m.schema) ? m.schema : isPlainObject(m.schema) ? normaliseModel(m.schema)?.schema : undefined,
        multiple: false,
        fromClient: typeof m.fromClient === 'function' ? (v) => m.fromClient?.(v) : undefined,
        forClient: typeof m.forClient === 'function' ? (v) => m.forClient?.(v) : undefined,
      };
    }
    if (isPlainObject(x) && Object.values(x).every(isSchema)) {
      return { schema: objectSchema(x as Record<string, Schema>), multiple: false, fromClient: undefined, forClient: undefined };
    }
  }
  return undefined;
}
