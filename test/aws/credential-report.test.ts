import test from 'ava';
import {
  CREDENTIAL_REPORT_COLUMNS,
  parseCredentialReport,
  reportDate,
} from '../../src/providers/aws/credential-report.js';

const HEADER = CREDENTIAL_REPORT_COLUMNS.join(',');

test('parses the root row and its not_supported values', (t) => {
  const [root] = parseCredentialReport(
    `${HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2019-03-04T10:11:12+00:00,not_supported,2026-10-30T08:02:11+00:00,not_supported,not_supported,TRUE,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n`,
  );
  t.true(root!.isRoot);
  t.is(root!.passwordEnabled, null);
  t.is(root!.passwordLastUsed, '2026-10-30T08:02:11Z');
  t.true(root!.mfaActive, 'TRUE and true are both accepted');
  t.deepEqual(root!.accessKeys, []);
});

test('keys are reported by slot, with rotation and last use; N/A and no_information are null', (t) => {
  const [user] = parseCredentialReport(
    `${HEADER}\nbob,arn:aws:iam::123456789012:user/bob,2020-11-12T14:30:00+00:00,true,no_information,2025-01-10T08:00:00+00:00,N/A,false,true,2025-01-10T08:00:00+00:00,N/A,N/A,N/A,false,2024-01-05T06:00:00+00:00,2024-02-01T06:00:00+00:00,us-east-1,iam,false,N/A,false,N/A\n`,
  );
  t.is(user!.passwordLastUsed, null);
  t.deepEqual(user!.accessKeys, [
    {
      slot: 'access_key_1',
      active: true,
      lastRotated: '2025-01-10T08:00:00Z',
      lastUsedDate: null,
      lastUsedService: null,
    },
    {
      slot: 'access_key_2',
      active: false,
      lastRotated: '2024-01-05T06:00:00Z',
      lastUsedDate: '2024-02-01T06:00:00Z',
      lastUsedService: 'iam',
    },
  ]);
});

test('a header that is not the IAM report is refused at line 1', (t) => {
  t.throws(() => parseCredentialReport('user,arn,created\nalice,arn:aws:iam::1:user/alice,x\n'), {
    message: /^line 1: unexpected header/,
  });
});

test('a row with a bad value names its line', (t) => {
  const row =
    'alice,arn:aws:iam::123456789012:user/alice,2021-05-01T09:00:00+00:00,maybe,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';
  t.throws(() => parseCredentialReport(`${HEADER}\n${row}\n`), {
    message: /^line 2: column password_enabled holds "maybe"/,
  });
  t.throws(
    () =>
      parseCredentialReport(
        `${HEADER}\n${row.replace('2021-05-01T09:00:00+00:00', 'yesterday').replace('maybe', 'true')}\n`,
      ),
    { message: /^line 2: "yesterday" is not a date/ },
  );
});

test('a row with the wrong number of columns is malformed CSV', (t) => {
  t.throws(() => parseCredentialReport(`${HEADER}\nalice,arn:aws:iam::123456789012:user/alice\n`), {
    message: /malformed CSV/,
  });
});

test('report timestamps read directly give what Date.parse gives, also for days past the end of a month', (t) => {
  const viaDate = (value: string) => {
    const time = Date.parse(value);
    return Number.isNaN(time) ? 'error' : new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const ours = (value: string) => {
    try {
      return reportDate(value);
    } catch {
      return 'error';
    }
  };
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const values: string[] = [];
  for (const year of [0, 1, 999, 1900, 1970, 2000, 2023, 2024, 2100, 9999]) {
    for (let month = 0; month <= 13; month++) {
      for (const day of [0, 1, 28, 29, 30, 31, 32])
        values.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}T12:34:56+00:00`);
    }
  }
  for (const time of ['00:00:00', '23:59:59', '24:00:00', '23:60:00', '23:59:60', '99:00:00'])
    values.push(`2026-11-01T${time}+00:00`, `2026-11-01T${time}Z`);
  values.push(
    '2026-11-01T10:00:00+01:00',
    '2026-11-01T10:00:00.5+00:00',
    '2026-11-01 10:00:00+00:00',
    ' 2026-11-01T10:00:00+00:00',
    '2026-11-01',
  );
  for (const value of values) t.is(ours(value), viaDate(value), value);
});
