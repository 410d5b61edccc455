import { fileURLToPath } from 'node:url';
import type { ImportContext } from '../../src/providers/types.js';

/** A fixture under test/fixtures/<provider>/. */
export function fixture(provider: string, name: string): string {
  return fileURLToPath(new URL(`../fixtures/${provider}/${name}`, import.meta.url));
}

/** An import context that records progress lines instead of printing them. */
export function importContext(options: Record<string, unknown> = {}): ImportContext & { lines: string[] } {
  const lines: string[] = [];
  return { options, lines, progress: { status: (l) => lines.push(l), warn: (l) => lines.push(l) } };
}
