/**
 * Writes examples/acme/baseline.json: the report of the acme tenant as the main branch last saw it, a week before
 * the example snapshot, when ben@acme.com was still enrolled in 2-Step Verification. docs/ci.md gates a pull
 * request against it (ben's missing 2SV is the new high finding). Regenerate after a report-version change:
 *   node --import tsx test/gate/make-example-baseline.ts
 */
import { auditSnapshot } from '../../src/audit.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { loadWaivers } from '../../src/gate/waivers.js';
import { jsonFormatter } from '../../src/report/json.js';
import { loadSnapshots } from '../../src/snapshot/load.js';
import { writeFileAtomic } from '../../src/util/files.js';
import { join, resolve } from 'node:path';
import { ROOT } from '../helpers/cli.js';

process.chdir(ROOT);
const loaded = await loadSnapshots(['examples/acme/snapshot.json']);
const ben = loaded.snapshot.principals.find((p) => p.uid === 'gcp:408813245716:user/ben@acme.com');
if (!ben) throw new Error('ben@acme.com is no longer in the example snapshot; pick another finding that is new');
ben.mfa = { state: 'enabled', methods: ['totp'] };
const checks = await loadChecks({});
const report = auditSnapshot({
  loaded,
  checks,
  gate: { failOn: 'none' },
  waivers: await loadWaivers(
    'examples/acme/waivers.yaml',
    checks.map((c) => c.id),
  ),
  generatedAt: '2026-11-11T09:00:00.000Z',
});
// The checks' files are named from the repository root, not from the machine that wrote the example.
const text = [...jsonFormatter.render(report, { color: false, verbose: false, quiet: false })]
  .join('')
  .replaceAll(JSON.stringify(join(resolve(ROOT), '/')).slice(1, -1), '');
await writeFileAtomic('examples/acme/baseline.json', text, 0o644);
process.stdout.write(`wrote examples/acme/baseline.json (${report.summary.total} results)\n`);
