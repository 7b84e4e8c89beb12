/** True for a plain JSON object (not null, not an array). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * ArangoDB's partial update: attributes of `patch` overwrite `base`; with `mergeObjects`
 * nested objects merge recursively; with `keepNull=false` a null in the patch removes the attribute.
 */
export function mergePatch(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  keepNull: boolean,
  mergeObjects: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null && !keepNull) {
      delete out[k];
    } else if (mergeObjects && isPlainObject(v) && isPlainObject(out[k])) {
      out[k] = mergePatch(out[k], v, keepNull, mergeObjects);
    } else if (!keepNull && isPlainObject(v)) {
      out[k] = stripNulls(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function stripNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) continue;
    out[k] = isPlainObject(v) ? stripNulls(v) : v;
  }
  return out;
}
