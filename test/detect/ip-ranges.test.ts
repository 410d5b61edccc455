import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { loadRangeTable, parsePublishedRanges, SHIPPED_RANGES, type RangesFile } from '../../src/detect/ip-ranges.js';
import { normalizeRecord } from '../../src/detect/normalize.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

test("the shipped ranges are the providers' published files, dated, and place addresses", async (t) => {
  const file = JSON.parse(await readFile(SHIPPED_RANGES, 'utf8')) as RangesFile;
  t.is(file.providers.aws?.published, '2026-08-22-15-17-05');
  t.true(file.providers.aws!.prefixes > 10_000);
  t.true(file.providers.azure!.prefixes > 40_000);
  t.true(file.providers.gcp!.prefixes > 500);
  const table = loadRangeTable();
  t.is(table.networkOf('3.5.140.10'), 'aws');
  t.is(table.networkOf('34.35.0.1'), 'gcp');
  t.is(table.networkOf('4.145.74.53'), 'azure');
  t.is(table.networkOf('198.51.100.1'), 'public');
  t.is(table.networkOf('216.160.83.56'), 'public');
  for (const ip of ['10.0.0.1', '172.20.1.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '::1', 'fd00::1'])
    t.is(table.networkOf(ip), 'private', ip);
});

test("each provider's published format is recognised; anything else is refused with where and how", (t) => {
  const aws = parsePublishedRanges(
    JSON.stringify({
      syncToken: '1',
      createDate: '2026-01-01-00-00-00',
      prefixes: [{ ip_prefix: '3.5.140.0/22', region: 'x', service: 'AMAZON' }],
      ipv6_prefixes: [{ ipv6_prefix: '2600:1f14::/35', region: 'x', service: 'AMAZON' }],
    }),
    'a.json',
  );
  t.is(aws.provider, 'aws');
  t.deepEqual(aws.ranges.v4, [[0x03058c00, 0x03058fff]]);
  t.is(aws.ranges.v6.length, 1);
  t.is(
    parsePublishedRanges(
      JSON.stringify({
        syncToken: '1',
        creationTime: '2026-01-01T00:00:00',
        prefixes: [{ ipv4Prefix: '34.35.0.0/16' }],
      }),
      'g.json',
    ).provider,
    'gcp',
  );
  t.is(
    parsePublishedRanges(
      JSON.stringify({
        changeNumber: 1,
        cloud: 'Public',
        values: [{ name: 'A', properties: { addressPrefixes: ['4.145.74.52/30', '4.145.74.52/30'] } }],
      }),
      'z.json',
    ).ranges.prefixes,
    1,
  );
  t.throws(() => parsePublishedRanges('{"hello":1}', 'x.json'), { message: /not a published cloud ranges file/ });
});

test('instance credentials are placed in a network; other events are not looked up', (t) => {
  const ref = { file: 'x', line: 1 };
  const base = { eventTime: '2026-01-01T00:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' };
  const e = normalizeRecord(
    {
      ...base,
      sourceIPAddress: '198.51.100.20',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/r/I-0ABC1234DEF567890' },
    },
    ref,
  );
  t.is(e.actor.compute, 'i-0abc1234def567890');
  t.is(e.src.network, 'public');
  t.is(
    normalizeRecord(
      {
        ...base,
        sourceIPAddress: '3.5.140.10',
        userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/r/i-0abc1234def567890' },
      },
      ref,
    ).src.network,
    'aws',
  );
  t.is(
    normalizeRecord(
      { ...base, sourceIPAddress: '198.51.100.20', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' } },
      ref,
    ).src.network,
    null,
  );
});

test.serial(
  'ranges refresh writes a file detect reads with --ip-ranges; a bad file is one line and exit 2',
  async (t) => {
    const dir = await tempDir('cloudward-ranges-');
    const published = join(dir, 'ip-ranges.json');
    await writeFile(
      published,
      JSON.stringify({
        syncToken: '1',
        createDate: '2026-01-01-00-00-00',
        prefixes: [{ ip_prefix: '198.51.100.0/24', region: 'x', service: 'AMAZON' }],
        ipv6_prefixes: [],
      }),
    );
    const out = join(dir, 'ranges.json');
    const run = await runCli(['ranges', 'refresh', published, '--output', out]);
    t.is(run.code, 0, run.stderr);
    t.regex(run.stderr, /aws, published 2026-01-01-00-00-00, 1 prefixes/);
    t.is(loadRangeTable(out).networkOf('198.51.100.20'), 'aws');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"hello":1}');
    const refused = await runCli(['ranges', 'refresh', bad, '--output', join(dir, 'x.json')]);
    t.is(refused.code, 2);
    t.is(messageLines(refused.stderr).length, 1, refused.stderr);
    // With the test ranges 198.51.100.0/24 is AWS's, so the instance calling from there is at home.
    const log = join(dir, 'ct.jsonl');
    await writeFile(
      log,
      `${JSON.stringify({ eventTime: '2026-01-01T00:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', sourceIPAddress: '198.51.100.20', userAgent: 'aws-cli/2.15.0 os/macos#23', userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/r/i-0abc1234def567890' } })}\n`,
    );
    const home = await runCli([
      'detect',
      log,
      '--rule',
      'instance-credentials-outside-cloud',
      '--ip-ranges',
      out,
      '--format',
      'json',
      '--output',
      join(dir, 'r1.json'),
    ]);
    t.is(home.code, 0, home.stderr);
    const away = await runCli([
      'detect',
      log,
      '--rule',
      'instance-credentials-outside-cloud',
      '--format',
      'json',
      '--output',
      join(dir, 'r2.json'),
    ]);
    t.is(away.code, 1, away.stderr);
  },
);
