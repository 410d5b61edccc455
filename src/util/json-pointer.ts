/** JSON pointers (RFC 6901) as ajv reports them: `/principals/3/mfa/state`. */

/** Splits a pointer into segments, unescaping `~1` and `~0`; array indexes become numbers. */
export function pointerSegments(pointer: string): Array<string | number> {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Joins segments back into a pointer, escaping `~` and `/`. */
export function formatPointer(segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The value at `segments` inside `value`, or undefined when the path does not exist. */
export function valueAt(value: unknown, segments: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
