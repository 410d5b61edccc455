/**
 * Reading vendor files as they are published: the AWS CLI's example pages (reStructuredText, the command and its
 * output in literal blocks) and the comments of Google's API protos (JSON examples and documented name forms). The
 * files are kept unchanged; these helpers take out what a user would have saved from them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** A file of the vendor corpus (test/fixtures/vendor/...). */
export function vendorFile(...parts: string[]): string {
  return fileURLToPath(new URL(`../fixtures/vendor/${parts.join('/')}`, import.meta.url));
}

export interface CliExample {
  /** The `aws ...` command the example runs (continuation lines joined). */
  command: string;
  /** Its output, parsed. */
  output: unknown;
}

/** The examples of an AWS CLI example page: each command with the JSON output shown after it. */
export function awsCliExamples(path: string): CliExample[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const blocks: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/::\s*$/.test(lines[i]!)) continue;
    const block: string[] = [];
    let j = i + 1;
    for (; j < lines.length && (lines[j]!.trim() === '' || /^[ \t]/.test(lines[j]!)); j++) block.push(lines[j]!);
    if (block.some((l) => l.trim() !== '')) blocks.push(block);
    i = j - 1;
  }
  const examples: CliExample[] = [];
  let command = '';
  for (const block of blocks) {
    const text = block.join('\n').trim();
    if (text.startsWith('aws ')) command = text.replace(/\\\s*\n\s*/g, ' ');
    else if (text.startsWith('{')) examples.push({ command, output: JSON.parse(text) });
  }
  return examples;
}

/** The value of a `--flag value` in a CLI command. */
export function flagValue(command: string, flag: string): string | undefined {
  return new RegExp(`${flag}\\s+(\\S+)`).exec(command)?.[1];
}

/** The JSON example that follows `marker` in a proto's comments (comment markers and line breaks removed). */
export function protoJsonExample(path: string, marker: string): unknown {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l.includes(marker));
  if (start === -1) throw new Error(`no "${marker}" in ${path}`);
  const body: string[] = [];
  let depth = 0;
  for (const line of lines.slice(start + 1)) {
    const text = line.replace(/^\s*\/\/ ?/, '');
    if (depth === 0 && !text.trim().startsWith('{')) continue;
    body.push(text.trim());
    depth += (text.match(/[{[]/g) ?? []).length - (text.match(/[}\]]/g) ?? []).length;
    if (depth === 0) break;
  }
  // Comment lines may break a string value (an expression) in two: they are joined with a space. Google's examples
  // are JSON as people write it (a trailing comma here and there): YAML, a superset of JSON, reads them as written.
  return parse(body.join(' '));
}

/** The lines of a proto's comments (without `//`), for the documented forms of names. */
export function protoComments(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => /^\s*\/\//.test(l))
    .map((l) => l.replace(/^\s*\/\/ ?/, ''));
}
