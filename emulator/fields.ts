/**
 * Partial response ("Performance tips" of Google's APIs): `fields=a,b/c,d(e,f)` keeps only those
 * fields of a JSON answer — commas between selections, `/` into a sub-object, parentheses for
 * several sub-fields, arrays filtered element by element, `*` for every field. Google refuses a
 * malformed selection with 400 "Invalid field selection". The agenda sync lists events with it
 * (electron/core/sync/agenda/engine.ts LIST_FIELDS), so what it asks for is all it gets here too.
 */
import { ApiError } from './errors';

/** A selection: for each field, everything (true) or a sub-selection. */
export type FieldSelection = Map<string, FieldSelection | true>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*|^\*/;

export function parseFields(text: string): FieldSelection {
  let i = 0;
  const bad = (): never => {
    throw new ApiError(400, 'invalidParameter', `Invalid field selection ${text}`, { location: 'fields', locationType: 'parameter' });
  };
  const into = (sel: FieldSelection, name: string): FieldSelection => {
    const cur = sel.get(name);
    if (cur === true) return new Map(); // already whole: a sub-selection adds nothing
    if (cur) return cur;
    const sub: FieldSelection = new Map();
    sel.set(name, sub);
    return sub;
  };
  const list = (sel: FieldSelection): void => {
    for (;;) {
      path(sel);
      if (text[i] !== ',') return;
      i++;
    }
  };
  const path = (sel: FieldSelection): void => {
    const m = NAME.exec(text.slice(i));
    if (!m) bad();
    const name = m![0];
    i += name.length;
    if (text[i] === '/') {
      i++;
      path(into(sel, name));
    } else if (text[i] === '(') {
      i++;
      list(into(sel, name));
      if (text[i] !== ')') bad();
      i++;
    } else {
      sel.set(name, true);
    }
  };
  const root: FieldSelection = new Map();
  list(root);
  if (i !== text.length) bad();
  return root;
}

/** `value` with only the selected fields (arrays element by element). */
export function selectFields(value: unknown, sel: FieldSelection): unknown {
  if (Array.isArray(value)) return value.map((v) => selectFields(v, sel));
  if (value === null || typeof value !== 'object') return value;
  const all = sel.get('*');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = sel.get(k) ?? all;
    if (s === undefined) continue;
    out[k] = s === true ? v : selectFields(v, s);
  }
  return out;
}
