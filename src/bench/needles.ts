/**
 * Whether a workload's needle is still in view in a compressed tool output, following the
 * corpus rules: verbatim up to whitespace; or, for a JSON fragment, all of its values (plus
 * the key when it holds a single value) close together, since JSON may be re-serialised.
 */
export function needleInView(needle: string, output: string): boolean {
  if (normalise(output).includes(normalise(needle))) return true;
  const values = jsonFragmentValues(needle);
  if (!values) return false;
  return valuesClose(values, output, values.length <= 2 ? 80 : 600);
}

function normalise(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

const TOKEN_RE = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Values (strings and numbers) of a JSON fragment, or undefined when it is not one. */
function jsonFragmentValues(fragment: string): string[] | undefined {
  if (!/"\s*:/.test(fragment)) return undefined;
  const values: string[] = [];
  let lastKey: string | undefined;
  let keyOfSingle: string | undefined;
  for (const m of fragment.matchAll(TOKEN_RE)) {
    const tok = m[0];
    const after = fragment.slice(m.index! + tok.length).trimStart();
    const isString = tok.startsWith('"');
    const text = isString ? tok.slice(1, -1) : tok;
    if (isString && after.startsWith(':')) {
      lastKey = text;
      continue;
    }
    values.push(text);
    keyOfSingle = lastKey;
  }
  if (values.length === 0) return undefined;
  if (values.length === 1 && keyOfSingle !== undefined) values.push(keyOfSingle);
  return values;
}

/** True when one occurrence of every value fits in a window of `width` characters. */
function valuesClose(values: readonly string[], output: string, width: number): boolean {
  const hits: Array<[number, number]> = [];
  values.forEach((v, vi) => {
    let i = output.indexOf(v);
    while (i !== -1) {
      hits.push([i, vi]);
      i = output.indexOf(v, i + 1);
    }
  });
  if (new Set(hits.map((h) => h[1])).size < new Set(values.map((_, i) => i)).size) return false;
  hits.sort((a, b) => a[0] - b[0]);
  const need = values.length;
  const inWindow = new Map<number, number>();
  let lo = 0;
  for (let hi = 0; hi < hits.length; hi++) {
    const [pos, vi] = hits[hi]!;
    inWindow.set(vi, (inWindow.get(vi) ?? 0) + 1);
    while (pos - hits[lo]![0] > width) {
      const v = hits[lo]![1];
      const c = inWindow.get(v)! - 1;
      if (c === 0) inWindow.delete(v);
      else inWindow.set(v, c);
      lo++;
    }
    if (inWindow.size === need) return true;
  }
  return false;
}
