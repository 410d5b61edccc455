import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { UserError } from '../../src/errors.js';
import { historyFile, loadHistory } from '../../src/detect/run.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

async function stateDir(text: string): Promise<string> {
  const dir = await tempDir('cloudward-state-');
  await writeFile(join(dir, 'detect-state.json'), text);
  return dir;
}

const BAD: Array<[string, string, RegExp]> = [
  [
    'a __proto__ rule id',
    '{"version":1,"rules":{"__proto__":{"observedFrom":1,"keys":{}}}}',
    /\/rules: key "__proto__" must match pattern/,
  ],
  ['null rules', '{"version":1,"rules":null}', /\/rules: must be object/],
  ['a null rule', '{"version":1,"rules":{"aws-new-source":null}}', /\/rules\/aws-new-source: must be object/],
  [
    'null keys',
    '{"version":1,"rules":{"aws-new-source":{"observedFrom":1,"keys":null}}}',
    /\/rules\/aws-new-source\/keys: must be object/,
  ],
  [
    'a null last-seen time',
    '{"version":1,"rules":{"aws-new-source":{"observedFrom":1,"keys":{"k":{"v":null}}}}}',
    /\/rules\/aws-new-source\/keys\/k\/v: must be number/,
  ],
  [
    'a string start',
    '{"version":1,"rules":{"aws-new-source":{"observedFrom":"x","keys":{}}}}',
    /observedFrom: must be number/,
  ],
  ['an unknown field', '{"version":1,"rules":{},"extra":true}', /unknown field "extra"/],
  ['another version', '{"version":2,"rules":{}}', /\/version: must be 1/],
  ['an array', '[]', /\/: must be object/],
  ['null', 'null', /\/: must be object/],
];

for (const [name, text, message] of BAD) {
  test(`a state file with ${name} is one line naming the file, the pointer and the fix`, async (t) => {
    const dir = await stateDir(text);
    const error = await t.throwsAsync(loadHistory(dir), { instanceOf: UserError });
    t.regex(error!.oneLine(), message);
    t.true(error!.oneLine().startsWith(join(dir, 'detect-state.json')), error!.oneLine());
    t.regex(error!.oneLine(), /delete it to start the first-seen history again/);
  });
}

test('first-seen values are attacker-chosen text: a value named __proto__ survives a write and a read, polluting nothing', async (t) => {
  const dir = await tempDir('cloudward-state-');
  const history = new Map([
    [
      'aws-new-source',
      {
        observedFrom: 5,
        keys: new Map([
          [
            'actor',
            new Map([
              ['__proto__', 7],
              ['constructor', 8],
            ]),
          ],
        ]),
      },
    ],
  ]);
  const file = historyFile(dir, history);
  await writeFile(file.path, file.data);
  const again = await loadHistory(dir);
  t.deepEqual(
    [...again.get('aws-new-source')!.keys.get('actor')!],
    [
      ['__proto__', 7],
      ['constructor', 8],
    ],
  );
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(Object.getPrototypeOf({}), Object.prototype);
});

test('`detect --state` with a state file holding null exits 2 with one line', async (t) => {
  const dir = await stateDir('{"version":1,"rules":{"aws-new-source":null}}');
  const logs = await tempDir();
  await writeFile(
    join(logs, 'events.jsonl'),
    `${JSON.stringify({ eventTime: '2026-01-01T00:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userAgent: 'aws-cli/2', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/x', accessKeyId: 'AKIAX' } })}\n`,
  );
  const run = await runCli(['detect', logs, '--state', dir, '--format', 'json', '--output', join(logs, 'out.json')]);
  t.is(run.code, 2, run.stderr);
  t.deepEqual(messageLines(run.stderr).length, 1, run.stderr);
  t.regex(run.stderr, /detect-state\.json: .*\/rules\/aws-new-source: must be object/);
});
