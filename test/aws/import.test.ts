import test from 'ava';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import { FIXTURES, filesIn, quietProgress } from '../support/aws-fixtures.js';

const ACCOUNT = '123456789012';
const FOLDER = join(FIXTURES, ACCOUNT);

function importFiles(paths: string[], { collectedAt, ...options }: Record<string, unknown> = {}) {
  return awsProvider.importFiles(paths, {
    options,
    progress: quietProgress,
    ...(typeof collectedAt === 'string' ? { collectedAt } : {}),
  });
}

async function scratch(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-import-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('every fixture file is recognised by content; the account and time come from the documents', async (t) => {
  const [bundle] = await importFiles(filesIn(FOLDER));
  t.is(bundle!.scope.id, ACCOUNT);
  t.is(bundle!.method, 'import');
  t.is(bundle!.collectedAt, '2026-11-01T09:00:00Z');
  t.deepEqual(bundle!.gaps, []);
});

test('file names do not matter for recognition', async (t) => {
  const dir = await scratch(t);
  for (const [i, file] of filesIn(FOLDER)
    .filter((f) => !/get-trail-status|list-targets/.test(f))
    .entries())
    await copyFile(file, join(dir, `export-${i}.txt`));
  const [bundle] = await importFiles(filesIn(dir));
  t.is(bundle!.documents.length, 13);
});

test('the decoded CSV credential report gives the same snapshot as the base64 JSON', async (t) => {
  const dir = await scratch(t);
  const json = JSON.parse(await readFile(join(FOLDER, 'iam-get-credential-report.json'), 'utf8')) as {
    Content: string;
  };
  await writeFile(join(dir, 'report.csv'), Buffer.from(json.Content, 'base64'));
  const others = filesIn(FOLDER).filter((f) => !f.endsWith('iam-get-credential-report.json'));
  const csv = awsProvider.normalize(
    await importFiles([...others, join(dir, 'report.csv')], { collectedAt: '2026-11-01T09:00:00Z' }),
  );
  const base64 = awsProvider.normalize(await importFiles(filesIn(FOLDER)));
  t.deepEqual(csv.principals, base64.principals);
});

test('missing exports become gaps naming the command to run', async (t) => {
  const [bundle] = await importFiles([join(FOLDER, 'iam-get-account-authorization-details.json')], {
    collectedAt: '2026-11-01T09:00:00Z',
  });
  const topics = bundle!.gaps.map((g) => g.what);
  t.deepEqual(topics, [
    'aws.account-summary',
    'aws.cloudtrail',
    'aws.cloudtrail-regions',
    'aws.credential-report',
    'aws.password-policy',
    'aws.role-settings',
    'aws.scp',
    'aws.virtual-mfa',
  ]);
  t.regex(bundle!.gaps.find((g) => g.what === 'aws.cloudtrail-regions')!.reason, /aws account list-regions/);
  t.regex(bundle!.gaps.find((g) => g.what === 'aws.credential-report')!.reason, /aws iam get-credential-report/);
});

test('a trail without its status export is an aws.cloudtrail-status gap', async (t) => {
  const [bundle] = await importFiles(filesIn(FOLDER).filter((f) => !f.includes('get-trail-status.legacy-eu')));
  t.deepEqual(
    bundle!.gaps.map((g) => g.what),
    ['aws.cloudtrail-status'],
  );
});

test('a get-trail-status export is tied to its trail by file name, or refused when it cannot be', async (t) => {
  const dir = await scratch(t);
  await copyFile(join(FOLDER, 'cloudtrail-describe-trails.us-east-1.json'), join(dir, 'trails.json'));
  await copyFile(join(FOLDER, 'cloudtrail-get-trail-status.legacy-eu.json'), join(dir, 'status.json'));
  const error = await t.throwsAsync(
    importFiles([join(dir, 'trails.json'), join(dir, 'status.json')], {
      account: ACCOUNT,
      collectedAt: '2026-11-01T09:00:00Z',
    }),
  );
  t.is(error?.name, 'UserError');
  t.regex((error as Error & { where?: string }).where!, /status\.json$/);
  t.regex(error!.message, /does not say which trail/);
});

test('--account must match the ARNs, and is needed when nothing names the account', async (t) => {
  await t.throwsAsync(importFiles(filesIn(FOLDER), { account: '999999999999' }), {
    name: 'UserError',
    message: /--account 999999999999 was given but the file belongs to account 123456789012/,
  });
  await t.throwsAsync(
    importFiles([join(FOLDER, 'iam-get-account-summary.json')], { collectedAt: '2026-11-01T09:00:00Z' }),
    { name: 'UserError', message: /cannot tell which AWS account/ },
  );
  const [bundle] = await importFiles([join(FOLDER, 'iam-get-account-summary.json')], {
    account: '111122223333',
    collectedAt: '2026-11-01T09:00:00Z',
  });
  t.is(bundle!.scope.id, '111122223333');
  await t.throwsAsync(importFiles(filesIn(FOLDER), { account: 'prod' }), { name: 'UserError', message: /12-digit/ });
});

test('without a credential report the export time must be given', async (t) => {
  await t.throwsAsync(importFiles([join(FOLDER, 'iam-get-account-authorization-details.json')]), {
    name: 'UserError',
    message: /cannot tell when/,
  });
  await t.throwsAsync(
    importFiles([join(FOLDER, 'iam-get-account-authorization-details.json')], { collectedAt: 'last tuesday' }),
    { name: 'UserError', message: /--collected-at/ },
  );
});

test('two accounts in two folders become two bundles; a summary goes with its folder', async (t) => {
  const dir = await scratch(t);
  const other = '210987654321';
  for (const account of [ACCOUNT, other]) {
    await mkdir(join(dir, account));
    for (const file of filesIn(FOLDER)) {
      const text = await readFile(file, 'utf8');
      const rewritten = file.endsWith('credential-report.json')
        ? JSON.stringify({
            ...JSON.parse(text),
            Content: Buffer.from(
              Buffer.from(JSON.parse(text).Content, 'base64').toString('utf8').replaceAll(ACCOUNT, account),
            ).toString('base64'),
          })
        : text.replaceAll(ACCOUNT, account);
      await writeFile(join(dir, account, basename(file)), rewritten);
    }
  }
  const bundles = await importFiles([...filesIn(join(dir, ACCOUNT)), ...filesIn(join(dir, other))]);
  t.deepEqual(
    bundles.map((b) => b.scope.id),
    [ACCOUNT, other].sort(),
  );
  t.true(bundles.every((b) => b.gaps.length === 0));
});

test('two credential reports for one account are refused', async (t) => {
  const dir = await scratch(t);
  await copyFile(join(FOLDER, 'iam-get-credential-report.json'), join(dir, 'again.json'));
  await t.throwsAsync(importFiles([...filesIn(FOLDER), join(dir, 'again.json')]), {
    name: 'UserError',
    message: /two GetCredentialReport exports/,
  });
});

test('AWS CLI error output is evidence: AccessDenied becomes a gap, NoSuchEntity an answer', async (t) => {
  const dir = await scratch(t);
  await writeFile(
    join(dir, 'report.err'),
    '\nAn error occurred (AccessDenied) when calling the GenerateCredentialReport operation: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GenerateCredentialReport\n',
  );
  await writeFile(
    join(dir, 'pp.err'),
    'An error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name 123456789012 cannot be found.\n',
  );
  const files = filesIn(FOLDER).filter((f) => !/credential-report|password-policy/.test(f));
  const [bundle] = await importFiles([...files, join(dir, 'report.err'), join(dir, 'pp.err')], {
    collectedAt: '2026-11-01T09:00:00Z',
  });
  t.deepEqual(
    bundle!.gaps.map((g) => [g.what, g.call]),
    [['aws.credential-report', 'iam:GenerateCredentialReport']],
  );
  t.is(awsProvider.normalize([bundle!]).controls.find((c) => c.type === 'password-policy')!.state, 'disabled');
});

// Bad input: every kind is one UserError naming the file.
const BAD: Array<[string, string, RegExp]> = [
  ['malformed JSON', '{"UserDetailList": [', /malformed AWS export JSON/],
  ['an unrecognised document', '{"Buckets": []}', /unrecognised AWS document \(top-level keys: Buckets\)/],
  ['a JSON array', '[1, 2]', /top level must be a JSON object/],
  [
    'a CSV with the wrong header',
    'name,arn,created\nalice,arn:aws:iam::1:user/alice,2020\n',
    /CSV header "name,arn,created" is not the IAM credential report's/,
  ],
  ['plain text', 'hello world\n', /not an AWS export/],
  [
    'a credential report with a bad header inside base64',
    JSON.stringify({ Content: Buffer.from('user,arn\nx,y\n').toString('base64'), ReportFormat: 'text/csv' }),
    /credential report: line 1: unexpected header/,
  ],
  ['a list that is not a list', '{"UserDetailList": {"UserName": "alice"}}', /"UserDetailList" must be a list/],
  ['a summary with text values', '{"SummaryMap": {"Users": "five"}}', /"SummaryMap" must be an object of numbers/],
  ['a __proto__ key', '{"SummaryMap": {"__proto__": {"Users": 1}}}', /"__proto__" key is not allowed/],
];

for (const [what, content, message] of BAD) {
  test(`bad input: ${what} is a UserError naming the file`, async (t) => {
    const dir = await scratch(t);
    const file = join(dir, 'input.json');
    await writeFile(file, content);
    const error = await t.throwsAsync(importFiles([file], { account: ACCOUNT, collectedAt: '2026-11-01T09:00:00Z' }));
    t.is(error?.name, 'UserError');
    t.regex(error!.message, message);
    t.true(((error as Error & { where?: string }).where ?? '').startsWith(file));
  });
}

test('bad input: an empty file and a missing file are UserErrors', async (t) => {
  const dir = await scratch(t);
  await writeFile(join(dir, 'empty.json'), '');
  await t.throwsAsync(importFiles([join(dir, 'empty.json')]), { name: 'UserError', message: /empty/ });
  await t.throwsAsync(importFiles([join(dir, 'nope.json')]), { name: 'UserError', message: /not found/ });
  await t.throwsAsync(importFiles([]), { name: 'UserError', message: /no AWS export files/ });
});

test('the Acme example exports import without gaps and reproduce examples/acme/parts/aws.json', async (t) => {
  const root = new URL('../../examples/acme/', import.meta.url).pathname;
  const files = ['111111111111', '222222222222'].flatMap((account) => filesIn(join(root, 'raw/aws', account)));
  const bundles = await importFiles(files);
  t.deepEqual(
    bundles.map((b) => [b.scope.id, b.gaps.length, b.collectedAt]),
    [
      ['111111111111', 0, '2026-11-01T09:00:00Z'],
      ['222222222222', 0, '2026-11-01T09:00:00Z'],
    ],
  );
  const part = awsProvider.normalize(bundles);
  const committed = JSON.parse(await readFile(join(root, 'parts/aws.json'), 'utf8')) as typeof part;
  t.deepEqual(
    JSON.parse(JSON.stringify(part.principals)),
    committed.principals,
    'regenerate with `cloudward import aws examples/acme/raw/aws/*/* -o examples/acme/parts/aws.json`',
  );
  t.deepEqual(JSON.parse(JSON.stringify(part.controls)), committed.controls);
});

test('authorization details exported page by page are merged; a lone truncated page is a gap', async (t) => {
  const dir = await scratch(t);
  const whole = JSON.parse(
    await readFile(join(FOLDER, 'iam-get-account-authorization-details.json'), 'utf8'),
  ) as Record<string, unknown[]>;
  const first = {
    UserDetailList: whole.UserDetailList!.slice(0, 3),
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
    IsTruncated: true,
    Marker: 'AAE',
  };
  const last = {
    UserDetailList: whole.UserDetailList!.slice(3),
    GroupDetailList: whole.GroupDetailList,
    RoleDetailList: whole.RoleDetailList,
    Policies: whole.Policies,
    IsTruncated: false,
  };
  await writeFile(join(dir, 'page-1.json'), JSON.stringify(first));
  await writeFile(join(dir, 'page-2.json'), JSON.stringify(last));
  const others = filesIn(FOLDER).filter((f) => !f.endsWith('iam-get-account-authorization-details.json'));
  const paged = awsProvider.normalize(
    await importFiles([...others, join(dir, 'page-1.json'), join(dir, 'page-2.json')]),
  );
  const single = awsProvider.normalize(await importFiles(filesIn(FOLDER)));
  t.deepEqual(paged.principals, single.principals);
  const [truncated] = await importFiles([...others, join(dir, 'page-1.json')]);
  t.deepEqual(
    truncated!.gaps.map((g) => g.what),
    ['aws.authorization-details'],
  );
  t.regex(truncated!.gaps[0]!.reason, /truncated/);
});
