import test from 'ava';
import { UserError } from '../../src/errors.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { PENDING_GAP_TOPICS, providers } from '../../src/providers/index.js';
import { fixture, runCli } from '../helpers/cli.js';

/** Topics no registered adapter declares yet: their adapters are being added. Exactly these, no more. */
const PENDING: string[] = [];

const emitted = () => new Set(providers.flatMap((p) => Object.keys(p.gapTopics)));

test('every shipped check needs only topics a registered adapter emits, except the named pending set', async (t) => {
  const checks = await loadChecks();
  const needed = new Set(checks.flatMap((c) => c.needs ?? []));
  const unemitted = [...needed].filter((topic) => !emitted().has(topic)).sort();
  t.deepEqual(unemitted, PENDING, "a check needs a topic no adapter declares; declare it in its adapter's gapTopics");
  t.deepEqual(Object.keys(PENDING_GAP_TOPICS).sort(), PENDING, 'PENDING_GAP_TOPICS lists exactly the pending topics');
});

test('no pending topic is declared by an adapter too (drop it from PENDING_GAP_TOPICS when its adapter lands)', (t) => {
  const both = Object.keys(PENDING_GAP_TOPICS).filter((topic) => emitted().has(topic));
  t.deepEqual(both, []);
});

test('every topic an adapter declares is prefixed with its name, and every operation topic is declared', (t) => {
  for (const adapter of providers) {
    for (const topic of Object.keys(adapter.gapTopics))
      t.true(topic.startsWith(`${adapter.name}.`), `${adapter.name}: ${topic}`);
    for (const op of adapter.operations)
      if (op.topic) t.true(op.topic in adapter.gapTopics, `${adapter.name}: ${op.id} opens undeclared ${op.topic}`);
  }
});

test('a check that needs an undeclared topic is a load error naming the file, the line and the near topics', async (t) => {
  const error = await t.throwsAsync(
    loadChecks({ builtIn: false, paths: [fixture('bad', 'policies', 'unknown-topic.yaml')] }),
    { instanceOf: UserError },
  );
  t.regex(
    error!.oneLine(),
    /unknown-topic\.yaml:16: needs "aws\.credentials-report", a gap topic no provider adapter declares — use one of: .*aws\.credential-report/,
  );
  const run = await runCli(['validate', fixture('bad', 'policies', 'unknown-topic.yaml')]);
  t.is(run.code, 2);
  t.regex(run.stderr, /unknown-topic\.yaml:16: needs "aws\.credentials-report"/);
});
