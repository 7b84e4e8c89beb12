function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Equality of JSON values (numbers by value, objects regardless of key order). */
function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && valuesEqual(a[k], b[k]));
  }
  return false;
}

/** Resolves a local JSON pointer (`#`, `#/definitions/x`, `#/properties/a~1b`) in the root schema. */
function resolveRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/**
 * A JSON Schema validator for draft-4, as ArangoDB's collection schemas (and SCHEMA_VALIDATE)
 * use it: types, enum/const, allOf/anyOf/oneOf/not, numbers, strings (pattern as a Unicode
 * RegExp), arrays, objects, `dependencies`, and local `$ref`s (`#`, `#/definitions/…`).
 * `format` is an annotation here (not asserted), and remote `$ref`s fail validation.
 * Returns true when `v` satisfies `schema`; nesting deeper than 64 levels fails.
 */
export function validateJsonSchema(schema: unknown, v: unknown, depth = 0, root: unknown = schema): boolean {
  if (depth > 64) return false;
  if (schema === true || schema === undefined || schema === null) return true;
  if (schema === false || !isObject(schema)) return false;
  const s = schema;
  const sub = (x: unknown, value: unknown): boolean => validateJsonSchema(x, value, depth + 1, root);
  // draft-4: a $ref replaces its schema object entirely
  if (typeof s['$ref'] === 'string') {
    const target = resolveRef(root, s['$ref']);
    return target !== undefined && sub(target, v);
  }
  if (s['type'] !== undefined) {
    const types = Array.isArray(s['type']) ? s['type'] : [s['type']];
    if (!types.some((t) => hasType(v, t))) return false;
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => valuesEqual(e, v))) return false;
  if ('const' in s && !valuesEqual(s['const'], v)) return false;
  if (Array.isArray(s['allOf']) && !s['allOf'].every((x) => sub(x, v))) return false;
  if (Array.isArray(s['anyOf']) && !s['anyOf'].some((x) => sub(x, v))) return false;
  if (Array.isArray(s['oneOf']) && s['oneOf'].filter((x) => sub(x, v)).length !== 1) return false;
  if (s['not'] !== undefined && sub(s['not'], v)) return false;
  if (typeof v === 'number' && !numberOk(s, v)) return false;
  if (typeof v === 'string' && !stringOk(s, v)) return false;
  if (Array.isArray(v) && !arrayOk(s, v, sub)) return false;
  if (isObject(v) && !objectOk(s, v, sub)) return false;
  return true;
}

function hasType(v: unknown, t: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    default: return false;
  }
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' ? x : undefined;
}

function numberOk(s: Record<string, unknown>, v: number): boolean {
  const min = num(s['minimum']);
  const max = num(s['maximum']);
  // draft-4 booleans modify minimum/maximum; draft-6 numbers are bounds of their own
  if (min !== undefined && (s['exclusiveMinimum'] === true ? v <= min : v < min)) return false;
  if (max !== undefined && (s['exclusiveMaximum'] === true ? v >= max : v > max)) return false;
  const emin = num(s['exclusiveMinimum']);
  const emax = num(s['exclusiveMaximum']);
  if (emin !== undefined && v <= emin) return false;
  if (emax !== undefined && v >= emax) return false;
  const mult = num(s['multipleOf']);
  if (mult !== undefined && mult > 0 && Math.abs(v / mult - Math.round(v / mult)) > 1e-9) return false;
  return true;
}

function stringOk(s: Record<string, unknown>, v: string): boolean {
  const len = [...v].length;
  const minL = num(s['minLength']);
  const maxL = num(s['maxLength']);
  if (minL !== undefined && len < minL) return false;
  if (maxL !== undefined && len > maxL) return false;
  if (typeof s['pattern'] === 'string') {
    try {
      if (!new RegExp(s['pattern'], 'u').test(v)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function arrayOk(s: Record<string, unknown>, v: readonly unknown[], sub: (x: unknown, value: unknown) => boolean): boolean {
  const minI = num(s['minItems']);
  const maxI = num(s['maxItems']);
  if (minI !== undefined && v.length < minI) return false;
  if (maxI !== undefined && v.length > maxI) return false;
  if (s['uniqueItems'] === true && v.some((x, i) => v.slice(i + 1).some((y) => valuesEqual(x, y)))) return false;
  const items = s['items'];
  if (Array.isArray(items)) {
    for (let i = 0; i < v.length; i++) {
      const schema = i < items.length ? items[i] : s['additionalItems'];
      if (!sub(schema, v[i])) return false;
    }
  } else if (items !== undefined && !v.every((x) => sub(items, x))) return false;
  if (s['contains'] !== undefined && !v.some((x) => sub(s['contains'], x))) return false;
  return true;
}

function objectOk(s: Record<string, unknown>, v: Record<string, unknown>, sub: (x: unknown, value: unknown) => boolean): boolean {
  const keys = Object.keys(v);
  const minP = num(s['minProperties']);
  const maxP = num(s['maxProperties']);
  if (minP !== undefined && keys.length < minP) return false;
  if (maxP !== undefined && keys.length > maxP) return false;
  if (Array.isArray(s['required']) && !s['required'].every((k) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(v, k))) return false;
  const props = isObject(s['properties']) ? s['properties'] : {};
  const patterns = isObject(s['patternProperties']) ? Object.entries(s['patternProperties']) : [];
  for (const k of keys) {
    let matched = false;
    if (Object.prototype.hasOwnProperty.call(props, k)) {
      matched = true;
      if (!sub(props[k], v[k])) return false;
    }
    for (const [p, schema] of patterns) {
      let re: RegExp;
      try {
        re = new RegExp(p, 'u');
      } catch {
        return false;
      }
      if (re.test(k)) {
        matched = true;
        if (!sub(schema, v[k])) return false;
      }
    }
    if (!matched && s['additionalProperties'] !== undefined && !sub(s['additionalProperties'], v[k])) return false;
  }
  if (isObject(s['dependencies'])) {
    for (const [k, dep] of Object.entries(s['dependencies'])) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      if (Array.isArray(dep)) {
        if (!dep.every((d) => typeof d === 'string' && Object.prototype.hasOwnProperty.call(v, d))) return false;
      } else if (!sub(dep, v)) return false;
    }
  }
  return true;
}
