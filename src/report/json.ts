import type { Formatter } from './formatter.js';
import type { Report } from './model.js';

/** Chunks of about this many characters: large enough that a writer awaits per megabyte, not per result. */
const CHUNK_CHARS = 1 << 20;

/**
 * Streams the report so a 100k-principal audit does not need one giant string: results are serialized one at a
 * time and handed out in ~1 MiB chunks (one chunk per result cost the writer a promise round-trip per result).
 */
function* renderJson(report: Report): Iterable<string> {
  const { results, ...head } = report;
  const headText = JSON.stringify(head, null, 2);
  yield `${headText.slice(0, -2)},\n  "results": [`;
  let parts: string[] = [];
  let size = 0;
  for (let i = 0; i < results.length; i++) {
    const part = `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(results[i])}`;
    parts.push(part);
    size += part.length;
    if (size >= CHUNK_CHARS) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
  yield results.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}

export const jsonFormatter: Formatter = {
  name: 'json',
  extension: 'json',
  description: 'the full report (schemas/report.schema.json): scorecard, every result with evidence',
  render: renderJson,
};
