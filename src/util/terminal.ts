/**
 * Control characters (C0 but for none, DEL, C1) and the Unicode bidirectional overrides, which a terminal would act
 * on: an ESC in a host name from an audited machine could move the cursor, retitle the window or hide a finding.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * Text from inputs (names, messages, snippets, paths) made safe to print: every control character is shown as a
 * visible escape (`\x1b`, `\n`, `\u202e`), so nothing from a snapshot or a bundle can drive the terminal.
 */
export function safeText(value: unknown): string {
  const text = String(value ?? '');
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, escapeOne) : text;
}

/**
 * Text from inputs for a file format that may hold line breaks and tabs as they are (CSV cells, HTML, XML, Markdown
 * bodies): every other control character is shown as a visible escape, as `safeText` does, so a report opened with
 * `cat` or pasted into a terminal cannot drive it either.
 */
export function safeFileText(value: unknown): string {
  const text = String(value ?? '');
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, keepLineBreaks) : text;
}

function keepLineBreaks(ch: string): string {
  return ch === '\n' || ch === '\t' ? ch : escapeOne(ch);
}

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Several lines of plain text (no colour codes of ours), each made safe; the line breaks are kept. */
export function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}

/** `1 result`, `2 results`: a count with its noun in the right number. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
