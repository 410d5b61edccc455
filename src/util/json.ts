import { UserError } from '../errors.js';

const PROTO_KEY = /"(__proto__)"\s*:/;

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * JSON.parse with a location on failure (`file:line:column`) and a refusal of `__proto__` keys, which
 * could otherwise pollute objects merged from untrusted input.
 */
export function parseJsonText(
  text: string,
  file: string,
  what = 'JSON',
  options: { protoFree?: boolean } = {},
): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const offset = position
      ? Number(position[1])
      : /end of JSON input|Unterminated/.test(message)
        ? text.length
        : undefined;
    const where =
      offset === undefined ? file : `${file}:${lineColumn(text, offset).line}:${lineColumn(text, offset).column}`;
    const truncated = offset !== undefined && offset >= text.trimEnd().length;
    throw new UserError(
      `malformed ${what}: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')}`,
      {
        where,
        hint: truncated
          ? 'the file ends early; it looks truncated, so re-export it'
          : 'fix the syntax at that position',
      },
    );
  }
  // A plain substring search first: the pattern runs only on the rare text that mentions the name at all. A caller
  // that found no `__proto__` in the text's bytes says so (`protoFree`), sparing a search of a large text.
  const proto = !options.protoFree && text.includes('__proto__') ? PROTO_KEY.exec(text) : null;
  if (proto) {
    const { line, column } = lineColumn(text, proto.index);
    throw new UserError('a "__proto__" key is not allowed', {
      where: `${file}:${line}:${column}`,
      hint: 'remove the key; it is never part of a valid document',
    });
  }
  return value;
}
