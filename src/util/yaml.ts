import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import { UserError } from '../errors.js';

/** Loaded on first use: most audits read no YAML at all (built-in checks come from the build's cache). */
let yamlLibrary: typeof import('yaml') | undefined;
const loadYaml = (): typeof import('yaml') =>
  (yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** A parsed YAML document that can say which line a JSON pointer lives on. */
export interface YamlFile {
  value: unknown;
  /** 1-based line of the node at `path` (or of its nearest existing parent). */
  lineOf(path: Array<string | number>): number;
}

/** Aliases allowed per document; past this, expansion is treated as an attack (a "billion laughs" alias bomb). */
const MAX_ALIAS_COUNT = 50;

/** Parses untrusted YAML: duplicate keys, alias bombs, custom tags and `__proto__` keys are errors with file:line. */
export function parseYamlText(text: string, file: string): YamlFile {
  const { isMap, isScalar, LineCounter, parseDocument, visit } = loadYaml();
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    merge: false,
    strict: true,
    version: '1.2',
  });
  const at = (offset: number) => `${file}:${lineCounter.linePos(offset).line}`;
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const hint = problem.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : 'fix the YAML syntax there';
    throw new UserError(`malformed YAML: ${problem.message.split('\n')[0]}`, { where: at(problem.pos[0]), hint });
  }
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__') {
        throw new UserError('a "__proto__" key is not allowed', {
          where: at(pair.key.range?.[0] ?? 0),
          hint: 'remove the key',
        });
      }
    },
    Node(_key, node) {
      if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:')) {
        throw new UserError(`custom YAML tag ${node.tag} is not allowed`, {
          where: at(node.range?.[0] ?? 0),
          hint: 'use plain YAML values',
        });
      }
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    if (/alias/i.test(message)) {
      throw new UserError('too many YAML aliases (possible alias bomb)', {
        where: file,
        hint: `write the values out; at most ${MAX_ALIAS_COUNT} alias expansions are allowed`,
      });
    }
    throw new UserError(`malformed YAML: ${message}`, { where: file });
  }
  return {
    value,
    lineOf(path) {
      const nodeAt = (segments: Array<string | number>): unknown =>
        segments.length === 0 ? doc.contents : doc.getIn(segments, true);
      for (let depth = path.length; depth >= 0; depth--) {
        const range = (nodeAt(path.slice(0, depth)) as { range?: [number, number, number] } | undefined)?.range;
        if (range) {
          // For a map value, point at its key's line rather than the first nested line.
          const parent = depth > 0 ? nodeAt(path.slice(0, depth - 1)) : undefined;
          if (isMap(parent)) {
            const pair = parent.items.find(
              (item) => isScalar(item.key) && String(item.key.value) === String(path[depth - 1]),
            );
            const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
            if (keyRange) return lineCounter.linePos(keyRange[0]).line;
          }
          return lineCounter.linePos(range[0]).line;
        }
      }
      return 1;
    },
  };
}
