import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { ImportContext } from '../../src/providers/types.js';

/** A fixture under test/fixtures/<provider>/. */
export function fixture(provider: string, name: string): string {
  return fileURLToPath(new URL(`../fixtures/${provider}/${name}`, import.meta.url));
}

/** An import context that records progress lines instead of printing them. */
export function importContext<Options extends object = Record<string, unknown>>({
  collectedAt,
  ...options
}: Record<string, unknown> = {}): ImportContext<Options> & { lines: string[] } {
  const lines: string[] = [];
  return {
    // The adapter's own options type: the test passes what that adapter's options schema takes.
    options: options as Options,
    lines,
    progress: { status: (l) => lines.push(l), warn: (l) => lines.push(l) },
    ...(typeof collectedAt === 'string' ? { collectedAt } : {}),
  };
}

/** Writes `content` to a file in a fresh temp folder, removed when the test ends; returns the file's path. */
export async function tempFile(t: ExecutionContext, name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-hosts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
