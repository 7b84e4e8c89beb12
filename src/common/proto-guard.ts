/**
 * Removes the `__proto__` accessor from a realm's `Object.prototype` (what node's
 * `--disable-proto=delete` does), so that `obj['__proto__'] = v` anywhere (merges, attribute
 * copies, AQL object building, a service's own code) creates a plain own attribute instead of
 * replacing the object's prototype. This is how ArangoDB treats the name: an ordinary attribute
 * (VelocyPack has no prototypes). `JSON.parse` already makes it an own property; object literal
 * syntax `{ __proto__: x }` in source code is unaffected. Idempotent.
 */
export function removeProtoAccessor(objectPrototype: object = Object.prototype): void {
  Reflect.deleteProperty(objectPrototype, '__proto__');
}

/** The same, as source text to run inside a `vm` context (its own `Object.prototype`). */
export const REMOVE_PROTO_ACCESSOR_SOURCE = "Reflect.deleteProperty(Object.prototype, '__proto__');";
