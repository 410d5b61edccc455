import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadCheckFile } from '../../src/engine/load-checks.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { assertSnapshot } from '../../src/snapshot/validate.js';
import { isUserError } from '../../src/errors.js';
import { fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';

const policy = (value: unknown): Snapshot['controls'][number] => ({
  uid: 'aws:1:password-policy',
  provider: 'aws',
  scope: { kind: 'account', id: '1' },
  type: 'password-policy',
  name: 'IAM account password policy',
  state: 'enabled',
  settings: { maxPasswordAgeDays: value },
});

function snapshot(control: Snapshot['controls'][number]): Snapshot {
  const collectedAt = '2026-06-01T00:00:00Z';
  return {
    schemaVersion: '1.0',
    generator: { name: 't', version: '0' },
    collectedAt,
    sources: [{ provider: 'aws', scope: { kind: 'account', id: '1' }, method: 'import', collectedAt, gaps: [] }],
    principals: [],
    roles: [],
    controls: [control],
    hosts: [],
  };
}

test('evaluation never passes on a number it could not read (NaN, Infinity)', async (t) => {
  const file = join(await tempDir(), 'max-password-age.yaml');
  await writeFile(
    file,
    `id: max-password-age
title: Passwords expire within 90 days
description: Exercises how the engine treats numbers it cannot read.
mitigation: M1026
measure: credential-security
technique: T1059.009
severity: high
resource: controls
require: { properties: { settings: { properties: { maxPasswordAgeDays: { maximum: 90 } } } } }
message: "{name} lets passwords live too long"
remediation: Set a maximum password age of 90 days or less.
references: { nist: ["IA-5"] }
tests:
  - { name: passes, expect: pass, resource: { type: password-policy, name: p, state: enabled, settings: { maxPasswordAgeDays: 60 } } }
  - { name: fails, expect: fail, resource: { type: password-policy, name: p, state: enabled, settings: { maxPasswordAgeDays: 365 } } }
`,
  );
  const check = await loadCheckFile(file);
  for (const value of [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
    const [result] = evaluate(snapshot(policy(value)), [check]);
    t.is(result!.status, 'unknown', String(value));
    t.deepEqual(result!.evidence.missing, ['/settings/maxPasswordAgeDays'], String(value));
  }
  t.is(evaluate(snapshot(policy(60)), [check])[0]!.status, 'pass');
  t.is(evaluate(snapshot(policy(365)), [check])[0]!.status, 'fail');
});

test('a snapshot holding a non-finite number does not validate, wherever the number sits', (t) => {
  const text = JSON.stringify(snapshot({ ...policy(1), settings: { a: { b: [2, 'BIG'] }, c: 'SMALL' } }));
  for (const [big, small, where] of [
    ['1e400', '3', '/controls/0/settings/a/b/1'],
    ['5', '-1e999', '/controls/0/settings/c'],
  ]) {
    const value: unknown = JSON.parse(text.replace('"BIG"', big!).replace('"SMALL"', small!));
    const error = t.throws(() => assertSnapshot(value, 's.json'));
    t.true(isUserError(error));
    t.is((error as { where?: string }).where, `s.json#${where}`);
  }
  t.notThrows(() =>
    assertSnapshot(JSON.parse(text.replace('"BIG"', '1.7976931348623157e308').replace('"SMALL"', '-5e-324')), 's.json'),
  );
  t.throws(() => assertSnapshot(snapshot({ ...policy(1), settings: { n: Number.NaN } }), 's.json'));
});

test('bad input — a number too large for a double (1e400): one line, exit 2, nothing written', async (t) => {
  const dir = await tempDir();
  const run = await runCli(['audit', fixture('bad', 'snapshots', 'infinite-number.json'), '--output-dir', dir]);
  t.is(run.code, 2, run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(
    lines[0]!,
    /^cloudward: .*infinite-number\.json#\/controls\/0\/settings\/minimumLength: invalid snapshot: number out of range/,
  );
  t.deepEqual(await readdir(dir), [], 'nothing half-written');
});
