import type { Formatter } from './formatter.js';
import type { Report } from './model.js';

/**
 * Streams the report so a 100k-principal audit does not need one giant string: results are serialized one at a
 * time (the writer joins them into ~1 MiB chunks).
 */
function* renderJson(report: Report): Iterable<string> {
  const { results, ...head } = report;
  const headText = JSON.stringify(head, null, 2);
  yield `${headText.slice(0, -2)},\n  "results": [`;
  for (let i = 0; i < results.length; i++) yield `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(results[i])}`;
  yield results.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}

export const jsonFormatter: Formatter = {
  name: 'json',
  extension: 'json',
  description: 'the full report (schemas/report.schema.json): scorecard, every result with evidence',
  needs: { passEvidence: true, fingerprints: true, filters: false },
  render: renderJson,
};
