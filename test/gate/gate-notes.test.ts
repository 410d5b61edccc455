import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Report } from '../../src/report/model.js';
import { CHECKS_FLAG, cloudward, gcpSnapshot, tempDir, writeJson, writeText } from './helpers.js';

/** Every format that carries run metadata, and the file each is written to. */
const FORMATS = 'text,json,sarif,html,markdown,junit,ocsf';
const FILES = ['txt', 'json', 'sarif', 'html', 'md', 'junit.xml', 'ocsf.json'];

interface SarifRun {
  properties: { warnings?: string[]; gateConfig?: { file: string } };
  invocations: Array<{
    toolExecutionNotifications?: Array<{ level: string; message: { text: string }; descriptor: { id: string } }>;
  }>;
}

async function reports(
  dir: string,
): Promise<{ read: (ext: string) => Promise<string>; report: Report; sarif: SarifRun }> {
  const read = (ext: string) => readFile(join(dir, `cloudward.${ext}`), 'utf8');
  return {
    read,
    report: JSON.parse(await read('json')) as Report,
    sarif: (JSON.parse(await read('sarif')) as { runs: SarifRun[] }).runs[0]!,
  };
}

/** A project whose directory has users without 2-Step Verification and one whose state could not be read. */
const SNAPSHOT = gcpSnapshot({
  users: [
    { name: 'alice', mfa: 'enabled' },
    { name: 'bob', mfa: 'disabled' },
    { name: 'carol', mfa: 'unknown' },
  ],
});

test('the gate summary in every format names the project file and what in it changed the gate', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  writeText(
    dir,
    'cloudward.yaml',
    'fail-on: critical\nallow-unknown: true\nskip-checks: [gcp-audit-logging-all-services]\n',
  );
  const out = join(dir, 'reports');
  const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--output-dir', out, '--format', FORMATS], {
    cwd: dir,
  });
  t.is(
    run.code,
    0,
    'the high findings no longer fail the gate: the project file says so, and every output must show it',
  );
  const said =
    /project file cloudward\.yaml sets the gate: fail-on critical; allow-unknown; skip-checks gcp-audit-logging-all-services/;
  t.regex(run.stderr, said, 'the gate summary on stderr');
  const { read, report, sarif } = await reports(out);
  t.deepEqual(report.gate?.config, {
    file: 'cloudward.yaml',
    settings: [
      { key: 'fail-on', value: 'critical' },
      { key: 'allow-unknown', value: true },
      { key: 'skip-checks', value: ['gcp-audit-logging-all-services'] },
    ],
  });
  t.is(sarif.properties.gateConfig?.file, 'cloudward.yaml');
  t.true(
    sarif.invocations[0]!.toolExecutionNotifications!.some(
      (n) => n.level === 'note' && n.descriptor.id === 'CW0006' && said.test(n.message.text),
    ),
  );
  for (const ext of FILES.filter((e) => e !== 'json')) t.regex(await read(ext), said, ext);
});

test("a setting a flag overrides is not the project file's; without a project file nothing is named", async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  writeText(dir, 'cloudward.yaml', 'fail-on: critical\nmin-score: 10\n');
  const flagged = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--format', 'json', '--fail-on', 'high'], {
    cwd: dir,
  });
  t.deepEqual((JSON.parse(flagged.stdout) as Report).gate?.config?.settings, [{ key: 'min-score', value: 10 }]);
  t.regex(flagged.stderr, /project file cloudward\.yaml sets the gate: min-score 10\./);

  const none = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--format', 'json', '--no-config'], { cwd: dir });
  t.is((JSON.parse(none.stdout) as Report).gate?.config, undefined);
  t.notRegex(none.stderr, /project file/);
});

test('a snapshot older than --max-age (default 7 days) is a warning in every format, and does not change the gate', async (t) => {
  const dir = await tempDir();
  // Collected 2026-11-01, reported 2026-11-18: 17 days old.
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  const out = join(dir, 'reports');
  const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--output-dir', out, '--format', FORMATS], {
    cwd: dir,
  });
  const fresh = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--max-age', '30'], { cwd: dir });
  t.is(run.code, fresh.code, 'the same gate decision with or without the warning');
  const said =
    /stale data: the snapshot was collected more than 7 days before the report time \(--max-age 7\); the oldest, collected 2026-11-01T00:00:00Z, is 17 days old/;
  const { read, report, sarif } = await reports(out);
  t.deepEqual(
    report.warnings?.map((w) => w.code),
    ['stale-snapshot'],
  );
  t.regex(report.warnings![0]!.message, said);
  t.regex(sarif.properties.warnings?.[0] ?? '', said);
  t.true(
    sarif.invocations[0]!.toolExecutionNotifications!.some(
      (n) => n.level === 'warning' && n.descriptor.id === 'CW0004',
    ),
  );
  for (const ext of FILES.filter((e) => e !== 'json')) t.regex(await read(ext), said, ext);
  t.regex(run.stdout, said, 'the scorecard on the terminal says so');
  t.notRegex(fresh.stdout, /stale data/);
});

test('--max-age comes from the flag, CLOUDWARD_MAX_AGE or max-age in cloudward.yaml; a merged snapshot is as old as its oldest source', async (t) => {
  const dir = await tempDir();
  const old = gcpSnapshot({ users: [{ name: 'bob', mfa: 'disabled' }] });
  const recent = JSON.parse(
    JSON.stringify(old).replaceAll('acme-prod', 'acme-dev').replaceAll('2026-11-01T00:00:00Z', '2026-11-17T00:00:00Z'),
  ) as typeof old;
  // A merged snapshot's collectedAt is its newest part's; the stale source must still show.
  const merged = writeJson(dir, 'merged.json', {
    ...recent,
    sources: [...old.sources, ...recent.sources],
    principals: [...old.principals, ...recent.principals],
  });
  const stale = (run: { stdout: string }) => /stale data/.test(run.stdout);
  const base = ['audit', merged, ...CHECKS_FLAG, '--fail-on', 'none'];
  const byDefault = await cloudward(base, { cwd: dir });
  t.regex(
    byDefault.stdout,
    /stale data: 1 of 2 sources were collected more than 7 days before the report time \(--max-age 7\); the oldest, collected 2026-11-01T00:00:00Z, is 17 days old/,
  );
  t.false(stale(await cloudward([...base, '--max-age', '20'], { cwd: dir })));
  t.false(stale(await cloudward(base, { cwd: dir, env: { CLOUDWARD_MAX_AGE: '20' } })));
  t.true(
    stale(await cloudward([...base, '--max-age', '16'], { cwd: dir, env: { CLOUDWARD_MAX_AGE: '20' } })),
    'the flag wins',
  );
  writeText(dir, 'cloudward.yaml', 'max-age: 20\n');
  t.false(stale(await cloudward(base, { cwd: dir })));
  const bad = await cloudward(base, { cwd: dir, env: { CLOUDWARD_MAX_AGE: 'a week' } });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /CLOUDWARD_MAX_AGE/);
});

test('a report with gate settings, warnings, unverified files and scope coverage validates against schemas/report.schema.json', async (t) => {
  const { createAjv, loadSchema } = await import('../../src/util/ajv.js');
  const dir = await tempDir();
  const baseline = join(dir, 'other-tenant.json');
  const other = JSON.parse(JSON.stringify(SNAPSHOT).replaceAll('acme-prod', 'globex')) as typeof SNAPSHOT;
  t.is(
    (
      await cloudward(
        [
          'audit',
          writeJson(dir, 'other.json', other),
          ...CHECKS_FLAG,
          '--format',
          'json',
          '--output',
          baseline,
          '--fail-on',
          'none',
        ],
        { cwd: dir },
      )
    ).code,
    0,
  );
  const undigested = join(dir, 'undigested.json');
  writeText(dir, 'undigested.json', JSON.stringify(SNAPSHOT));
  writeText(dir, 'cloudward.yaml', 'fail-on: critical\nskip-checks: [gcp-audit-logging-all-services]\n');
  const run = await cloudward(
    ['audit', undigested, ...CHECKS_FLAG, '--allow-modified', '--baseline', baseline, '--format', 'json'],
    { cwd: dir },
  );
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.truthy(
    report.gate?.config &&
      report.warnings?.length === 2 &&
      report.snapshot.files[0]!.modified &&
      report.scorecard.scopes[0]!.coverage,
  );
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  t.true(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
});
