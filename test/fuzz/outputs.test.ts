import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { auditSnapshot } from '../../src/audit.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { getFormatter } from '../../src/report/index.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE } from '../helpers/cli.js';
import { fuzzParameters, hostileText, RAW_CONTROL } from './support.js';
import { loadOcsfClouds } from '../../src/report/ocsf.js';

// OCSF renders read the adapters' cloud names, which the CLI loads before writing (a formatter's prepare).
await loadOcsfClouds();

const snapshot = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Snapshot;
const checks = await loadChecks();

/** The example with hostile text in the names and ids a report prints. */
function reportWith(names: string[]) {
  const copy = structuredClone(snapshot);
  names.forEach((name, i) => {
    const principal = copy.principals[i % copy.principals.length]!;
    principal.name = name;
    principal.nativeId = `${principal.nativeId}${name}`;
  });
  return auditSnapshot({
    loaded: {
      snapshot: copy,
      files: [{ path: 'snapshot.json', sha256: '0'.repeat(64), collectedAt: copy.collectedAt }],
      origin: new Map(),
    },
    checks,
    gate: { failOn: 'high' },
    generatedAt: '2026-11-18T00:00:00.000Z',
  });
}

const render = (format: string, report: ReturnType<typeof reportWith>): string => {
  const out = getFormatter(format).render(report, { color: false, verbose: true, quiet: false });
  return typeof out === 'string' ? out : [...out].join('');
};

// Control characters from a snapshot never reach a text output raw (ESC would drive the terminal, BEL and NUL break
// viewers).
for (const format of ['text', 'markdown', 'junit', 'csv', 'html']) {
  test(`${format}: control characters in names never reach the output raw`, (t) => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 4 }), (names) => {
        const output = render(format, reportWith(names));
        const raw = RAW_CONTROL.exec(output);
        if (raw)
          t.log(
            `${format}: raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(output.slice(Math.max(0, raw.index - 40), raw.index + 10))}`,
          );
        return raw === null;
      }),
      fuzzParameters(3, 100),
    );
    t.pass();
  });
}
