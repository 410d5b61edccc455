import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import {
  loadRangeTable,
  publishedTime,
  RANGES_MAX_AGE_DAYS,
  rangesAgeWarning,
  RangeTable,
} from '../../src/detect/ip-ranges.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

const DAY = 86_400_000;
/** The shipped file's oldest dated provider: Google's cloud.json of 2026-05-05T19:04:08 (AWS's is of 2026-08-22). */
const SHIPPED = Date.parse('2026-05-05T19:04:08Z');
const epoch = (ms: number): string => String(Math.floor(ms / 1000));

test("each provider's publication date is read as UTC; Azure's service tags have none", (t) => {
  t.is(publishedTime('2025-07-24-20-23-14'), Date.parse('2025-07-24T20:23:14Z'));
  t.is(publishedTime('2025-07-24T19:16:28.780563'), Date.parse('2025-07-24T19:16:28Z'));
  t.is(publishedTime('changeNumber 363 (Public)'), null);
  t.is(publishedTime(''), null);
});

test('the shipped ranges are judged by their oldest dated provider, from the day after the threshold', (t) => {
  const table = loadRangeTable();
  t.is(rangesAgeWarning(table, SHIPPED + RANGES_MAX_AGE_DAYS * DAY), undefined);
  const warning = rangesAgeWarning(table, SHIPPED + (RANGES_MAX_AGE_DAYS + 1) * DAY)!;
  t.regex(warning, /^the cloud IP ranges shipped with cloudward are 91 days old \(gcp published 2026-05-05; over 90\)/);
  t.regex(warning, /`cloudward ranges refresh`/);
  t.regex(warning, /--ip-ranges/);
});

test('ranges with no dated provider are not judged', (t) => {
  const azureOnly = new RangeTable({
    version: 1,
    providers: { azure: { source: 'x', published: 'changeNumber 1 (Public)', prefixes: 0, v4: [], v6: [] } },
  });
  t.is(rangesAgeWarning(azureOnly, Date.parse('2100-01-01T00:00:00Z')), undefined);
});

/** One CloudTrail event, and the reports of a detect run over it in every format that carries the run's gaps. */
async function detectRun(
  env: Record<string, string>,
  extra: string[] = [],
): Promise<{ code: number; lines: string[]; gaps: string[]; text: string; sarifNotes: string[] }> {
  const dir = await tempDir('cloudward-ranges-age-');
  const log = join(dir, 'ct.jsonl');
  await writeFile(
    log,
    `${JSON.stringify({ eventTime: '2026-01-01T00:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', sourceIPAddress: '198.51.100.20', userAgent: 'aws-cli/2.15.0 os/macos#23', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' } })}\n`,
  );
  const out = join(dir, 'out');
  const run = await runCli(
    ['detect', log, '--format', 'text,json,sarif', '--output-dir', out, '--fail-on', 'none', '--quiet', ...extra],
    { env },
  );
  const json = JSON.parse(await readFile(join(out, 'cloudward-detect.json'), 'utf8')) as { gaps: string[] };
  const sarif = JSON.parse(await readFile(join(out, 'cloudward-detect.sarif'), 'utf8')) as {
    runs: Array<{ invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }> }>;
  };
  return {
    code: run.code,
    lines: messageLines(run.stderr),
    gaps: json.gaps,
    text: await readFile(join(out, 'cloudward-detect.txt'), 'utf8'),
    sarifNotes: (sarif.runs[0]!.invocations[0]!.toolExecutionNotifications ?? []).map((n) => n.message.text),
  };
}

test.serial(
  'detect warns once on stderr and in the text, JSON and SARIF reports when the shipped ranges are stale at SOURCE_DATE_EPOCH',
  async (t) => {
    const stale = await detectRun({ SOURCE_DATE_EPOCH: epoch(SHIPPED + 200 * DAY) });
    t.is(stale.code, 0);
    const warnings = stale.lines.filter((l) => l.startsWith('cloudward: warning:'));
    t.is(warnings.length, 1, stale.lines.join('\n'));
    t.regex(warnings[0]!, /cloud IP ranges shipped with cloudward are 200 days old .*`cloudward ranges refresh`/);
    const message = warnings[0]!.replace('cloudward: warning: ', '');
    t.is(stale.gaps[0], message);
    t.true(stale.text.includes(`  - ${message}`));
    t.true(stale.sarifNotes.includes(message));

    const fresh = await detectRun({ SOURCE_DATE_EPOCH: epoch(SHIPPED + 30 * DAY) });
    t.is(fresh.code, 0);
    t.false(
      fresh.lines.some((l) => l.includes('warning')),
      fresh.lines.join('\n'),
    );
    t.false(
      fresh.gaps.some((g) => g.includes('IP ranges')),
      fresh.gaps.join('\n'),
    );
  },
);

test.serial("with --ip-ranges the file's own date is judged, and the warning names the file", async (t) => {
  const dir = await tempDir('cloudward-ranges-age-');
  const published = join(dir, 'ip-ranges.json');
  await writeFile(
    published,
    JSON.stringify({
      syncToken: '1',
      createDate: '2026-06-01-00-00-00',
      prefixes: [{ ip_prefix: '198.51.100.0/24', region: 'x', service: 'AMAZON' }],
      ipv6_prefixes: [],
    }),
  );
  const ranges = join(dir, 'ranges.json');
  t.is((await runCli(['ranges', 'refresh', published, '--output', ranges])).code, 0);
  const june = Date.parse('2026-06-01T00:00:00Z');
  // Fresh itself, while the shipped ranges would be stale by then.
  const fresh = await detectRun({ SOURCE_DATE_EPOCH: epoch(june + 10 * DAY) }, ['--ip-ranges', ranges]);
  t.false(
    fresh.lines.some((l) => l.includes('warning')),
    fresh.lines.join('\n'),
  );
  const stale = await detectRun({ SOURCE_DATE_EPOCH: epoch(june + 120 * DAY) }, ['--ip-ranges', ranges]);
  const warnings = stale.lines.filter((l) => l.startsWith('cloudward: warning:'));
  t.is(warnings.length, 1);
  t.true(
    warnings[0]!.includes(`the cloud IP ranges in ${ranges} are 120 days old (aws published 2026-06-01; over 90)`),
    warnings[0],
  );
  t.true(stale.gaps[0]!.includes(ranges));
});
