import type { Expr, Operation } from './ast.ts';

/**
 * A destructuring pattern of `FOR` / `LET` (AQL 3.12): `[a, , b]`, `{name, age: years}`, nested.
 * It is desugared by the parser into plain `LET`s reading from a hidden variable, so the
 * planner and executor never see it.
 */
export type Pattern =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'array'; readonly items: readonly (Pattern | null)[] }
  | { readonly kind: 'object'; readonly entries: readonly { readonly key: string; readonly pattern: Pattern }[] };

/** The `LET`s binding every variable of `pattern` from the variable `source`; missing parts are null. */
export function destructure(pattern: Pattern, source: string, hidden: () => string): Operation[] {
  const out: Operation[] = [];
  const bind = (p: Pattern, expr: Expr): void => {
    if (p.kind === 'name') {
      out.push({ kind: 'let', name: p.name, expr });
      return;
    }
    const tmp = hidden();
    out.push({ kind: 'let', name: tmp, expr });
    walk(p, tmp);
  };
  const walk = (p: Pattern, from: string): void => {
    const ref: Expr = { kind: 'ref', name: from, offset: 0 };
    if (p.kind === 'name') out.push({ kind: 'let', name: p.name, expr: ref });
    else if (p.kind === 'array') {
      p.items.forEach((item, i) => {
        if (item !== null) bind(item, { kind: 'index', object: ref, index: { kind: 'value', value: i } });
      });
    } else {
      for (const e of p.entries) bind(e.pattern, { kind: 'attr', object: ref, name: e.key });
    }
  };
  walk(pattern, source);
  return out;
}
