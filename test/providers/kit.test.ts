import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm, writeFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import {
  attempt,
  collectScopes,
  createRawWriter,
  createStats,
  fetchAllPages,
  fetchJson,
  HttpError,
  parseShard,
  retryAfterMs,
  scopeNotEntered,
  selectShard,
  validateOptions,
  wholeNumber,
  withRetries,
} from '../../src/providers/cloud/index.js';
import type { CollectContext, OperationDeclaration, RawBundle } from '../../src/providers/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startFakeAws } from '../support/fake-aws.js';

type Handler = (request: IncomingMessage, response: ServerResponse, n: number) => void;

async function server(
  t: { teardown(fn: () => unknown): void },
  handler: Handler,
): Promise<{ url: string; times: number[] }> {
  const times: number[] = [];
  const s = createServer((request, response) => {
    times.push(Date.now());
    handler(request, response, times.length);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, times };
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

test('fetchJson waits as long as Retry-After says on 429, then succeeds; calls and throttles are counted', async (t) => {
  const api = await server(t, (_q, r, n) =>
    n === 1
      ? json(r, 429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '1' })
      : json(r, 200, { value: [1] }),
  );
  const stats = createStats();
  const body = await fetchJson<{ value: number[] }>(`${api.url}/x`, {}, { stats, baseDelayMs: 1, random: () => 0 });
  t.deepEqual(body.value, [1]);
  t.true(api.times[1]! - api.times[0]! >= 950, `waited ${api.times[1]! - api.times[0]!} ms, not the 1 s asked`);
  t.deepEqual(stats, { calls: 2, retries: 1, throttled: 1 });
});

test('Azure retry-after-ms and an HTTP date are honoured too', async (t) => {
  t.is(retryAfterMs(new Headers({ 'retry-after-ms': '250' })), 250);
  t.is(retryAfterMs(new Headers({ 'x-ms-retry-after-ms': '40' })), 40);
  t.is(
    retryAfterMs(
      new Headers({ 'retry-after': new Date(Date.parse('2026-11-01T09:00:05Z')).toUTCString() }),
      Date.parse('2026-11-01T09:00:00Z'),
    ),
    5000,
  );
  t.is(retryAfterMs(new Headers({ 'retry-after': 'soon' })), undefined);
  const api = await server(t, (_q, r, n) =>
    n < 3 ? json(r, 503, {}, { 'retry-after-ms': '120' }) : json(r, 200, { ok: true }),
  );
  const waits: number[] = [];
  await fetchJson(`${api.url}/x`, {}, { onRetry: ({ delayMs }) => waits.push(delayMs) });
  t.deepEqual(waits, [120, 120]);
});

test('a 403 is not retried; it is an HttpError with the API code, and attempt turns it into a gap naming the permission', async (t) => {
  const api = await server(t, (_q, r) =>
    json(r, 403, {
      error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action' },
    }),
  );
  const op: OperationDeclaration = {
    id: 'arm:GET roleAssignments',
    kind: 'api',
    topic: 'azure.role-assignments',
    permission: 'Microsoft.Authorization/roleAssignments/read',
  };
  const gaps: RawBundle['gaps'] = [];
  const result = await attempt(op, () => fetchJson(`${api.url}/x`, {}, { baseDelayMs: 1 }), gaps);
  t.false(result.ok);
  t.is(api.times.length, 1);
  t.true(!result.ok && result.error instanceof HttpError);
  t.deepEqual(gaps, [
    {
      what: 'azure.role-assignments',
      call: 'arm:GET roleAssignments',
      reason:
        'AuthorizationFailed: The client does not have authorization to perform action — needs permission Microsoft.Authorization/roleAssignments/read',
    },
  ]);
});

test('an unlicensed tenant is a gap naming the licence; Google error bodies give their status as the code', async (t) => {
  const api = await server(t, (request, r) =>
    request.url === '/pim'
      ? json(r, 400, {
          error: { code: 'AadPremiumLicenseRequired', message: 'The tenant needs an AAD Premium 2 license.' },
        })
      : json(r, 403, {
          error: { code: 403, status: 'PERMISSION_DENIED', message: 'Permission denied on resource project p.' },
        }),
  );
  const pim: OperationDeclaration = {
    id: 'graph:GET roleEligibilitySchedules',
    kind: 'api',
    topic: 'azure.pim',
    permission: 'RoleEligibilitySchedule.Read.Directory',
    licence: 'Microsoft Entra ID P2',
  };
  const gcp: OperationDeclaration = {
    id: 'cloudresourcemanager.projects.getIamPolicy',
    kind: 'api',
    topic: 'gcp.iam-policy',
    permission: 'resourcemanager.projects.getIamPolicy',
  };
  const a = await attempt(pim, () => fetchJson(`${api.url}/pim`));
  const b = await attempt(gcp, () => fetchJson(`${api.url}/gcp`));
  t.true(!a.ok && a.gap.reason.endsWith('— needs licence Microsoft Entra ID P2'));
  t.true(
    !b.ok &&
      b.gap.reason ===
        'PERMISSION_DENIED: Permission denied on resource project p. — needs permission resourcemanager.projects.getIamPolicy',
  );
});

test('retries stop after maxAttempts and the last error is thrown; programming errors are not turned into gaps', async (t) => {
  const stats = createStats();
  let n = 0;
  await t.throwsAsync(
    withRetries(
      async () => {
        n++;
        throw new HttpError(500, 'InternalError', 'boom');
      },
      { maxAttempts: 3, stats, sleep: async () => undefined },
    ),
    { instanceOf: HttpError },
  );
  t.is(n, 3);
  t.deepEqual(stats, { calls: 3, retries: 2, throttled: 2 });
  await t.throwsAsync(
    attempt({ id: 'x', kind: 'api', topic: 't' }, async () => {
      throw new TypeError('bug');
    }),
    { instanceOf: TypeError },
  );
});

test('fetchAllPages follows nextLink to the end and refuses a loop', async (t) => {
  const api = await server(t, (request, r) => {
    const page = Number(new URL(request.url!, 'http://x').searchParams.get('page') ?? '1');
    json(r, 200, {
      value: [page],
      ...(page < 3
        ? { nextLink: `/items?page=${page + 1}` }
        : request.url!.includes('loop')
          ? { nextLink: request.url }
          : {}),
    });
  });
  const items = await fetchAllPages(
    `${api.url}/items`,
    (p: { value: number[]; nextLink?: string }) => p.value,
    (p: { value: number[]; nextLink?: string }) => (p.nextLink ? `${api.url}${p.nextLink}` : undefined),
  );
  t.deepEqual(items, [1, 2, 3]);
  await t.throwsAsync(
    fetchAllPages(
      `${api.url}/items?page=3&loop=1`,
      (p: { value: number[]; nextLink?: string }) => p.value,
      (p: { value: number[]; nextLink?: string }) => (p.nextLink ? `${api.url}${p.nextLink}` : undefined),
    ),
    { message: /loops back/ },
  );
});

test('shards partition any id list, stably and roughly evenly', (t) => {
  const ids = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i * 7919));
  const shards = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => selectShard(ids, (id) => id, { index: k, count: 8 }));
  t.deepEqual(shards.flat().sort(), [...ids].sort());
  for (const shard of shards) t.true(shard.length > 90 && shard.length < 160, String(shard.length));
  t.deepEqual(
    selectShard([...ids].reverse(), (id) => id, { index: 3, count: 8 }).sort(),
    [...shards[2]!].sort(),
    'independent of order',
  );
  t.deepEqual(parseShard(' 2 / 8 '), { index: 2, count: 8 });
  for (const bad of ['0/8', '9/8', '1/0', '1/1001', 'a/b', '2', ''])
    t.throws(() => parseShard(bad), { instanceOf: UserError, message: /--shard/ });
});

test('collectScopes bounds concurrency, returns bundles in id order, and streams to the sink without keeping them', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const ids = ['c', 'a', 'e', 'b', 'd', 'f', 'g'];
  const read = async (id: string): Promise<RawBundle> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5 + (id.charCodeAt(0) % 3) * 5));
    inFlight--;
    return {
      provider: 'test',
      scope: { kind: 'account', id },
      method: 'live',
      collectedAt: '2026-11-01T09:00:00Z',
      documents: [],
      gaps: [],
    };
  };
  const lines: string[] = [];
  const context: CollectContext = {
    options: {},
    progress: { status: (l) => lines.push(l), warn: (l) => lines.push(l) },
  };
  const bundles = await collectScopes(
    context,
    { scopes: ids, idOf: (id) => id, concurrency: 3, label: 'test: account' },
    read,
  );
  t.is(peak, 3);
  t.deepEqual(
    bundles.map((b) => b.scope.id),
    ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  );
  t.true(lines.some((l) => /test: account . read \(7\/7\)/.test(l)));
  const sunk: string[] = [];
  const streamed = await collectScopes(
    {
      ...context,
      sink: async (b) => {
        sunk.push(b.scope.id);
      },
    },
    { scopes: ids, idOf: (id) => id, concurrency: 2, label: 'test: account' },
    read,
  );
  t.deepEqual(streamed, []);
  t.deepEqual(sunk.sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
});

test('a scope that cannot be entered is one gap per topic naming the entry call', (t) => {
  const gaps = scopeNotEntered(
    ['x.a', 'x.b'],
    { id: 'sts:AssumeRole', kind: 'api', permission: 'sts:AssumeRole', level: 'enter', topic: 'x.a' },
    Object.assign(new Error('not authorized'), { name: 'AccessDenied' }),
  );
  t.deepEqual(
    gaps.map((g) => [g.what, g.call]),
    [
      ['x.a', 'sts:AssumeRole'],
      ['x.b', 'sts:AssumeRole'],
    ],
  );
  t.regex(gaps[0]!.reason, /^scope not read: AccessDenied: not authorized — needs permission sts:AssumeRole$/);
});

test('the raw writer writes 0600 files per scope and names an unwritable folder', async (t) => {
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [path] = await createRawWriter(join(dir, 'raw')).writeScope('sub/../1', [{ name: 'a.json', text: '{}\n' }]);
  t.is(path, join(dir, 'raw', 'sub_.._1', 'a.json'));
  t.is((await stat(path!)).mode & 0o777, 0o600);
  t.is(await readFile(path!, 'utf8'), '{}\n');
  await writeFile(join(dir, 'file'), 'x');
  await t.throwsAsync(createRawWriter(join(dir, 'file')).writeScope('s', [{ name: 'a.json', text: '{}' }]), {
    instanceOf: UserError,
    message: /cannot write the raw documents/,
  });
});

test('options are validated against their schemas and coerced; a bad value names the flag', (t) => {
  const declared = [
    { flags: '--concurrency <n>', description: '', schema: { type: 'integer', minimum: 1, maximum: 64 } },
    {
      flags: '--endpoint-url <url>',
      description: '',
      schema: { type: 'string', pattern: '^https?://' },
      hint: 'e.g. http://127.0.0.1:4566',
    },
  ];
  t.deepEqual(validateOptions(declared, { concurrency: '8', output: 'x.json', collectedAt: '2026-11-01T09:00:00Z' }), {
    concurrency: 8,
  });
  t.throws(() => validateOptions(declared, { concurrency: '0' }), {
    instanceOf: UserError,
    message: '--concurrency must be a whole number from 1 to 64, not "0"',
  });
  t.throws(() => validateOptions(declared, { concurrency: '2.5' }), { message: /--concurrency/ });
  for (const written of ['0x4', '1e1', ' 8', '8 ', '0b11'])
    t.throws(() => validateOptions(declared, { concurrency: written }), {
      instanceOf: UserError,
      message: `--concurrency must be a whole number from 1 to 64, not "${written}"`,
    });
  const error = t.throws(() => validateOptions(declared, { endpointUrl: 'ftp://x' }), { instanceOf: UserError });
  t.regex((error as UserError).oneLine(), /--endpoint-url .* — e\.g\. http:\/\/127\.0\.0\.1:4566/);
});

test('a whole-number setting is written in decimal digits, within its range', (t) => {
  t.is(wholeNumber(undefined, '--concurrency', 4, 1, 64), 4);
  t.is(wholeNumber('', '--concurrency', 4, 1, 64), 4);
  t.is(wholeNumber('16', '--concurrency', 4, 1, 64), 16);
  t.is(wholeNumber(16, '--concurrency', 4, 1, 64), 16);
  t.is(wholeNumber('0', '--max-retries', 6, 0, 20), 0);
  for (const written of ['0x4', '1e1', '4.0', ' 4', '+4', '-1', '65', 'four']) {
    t.throws(() => wholeNumber(written, '--concurrency', 4, 1, 64), {
      instanceOf: UserError,
      message: `--concurrency must be a whole number from 1 to 64, not "${written}"`,
    });
  }
});

test('`collect aws` validates its options before making any call (exit 2, one line naming the flag)', async (t) => {
  const fake = await startFakeAws({ callerAccount: '123456789012', accounts: {} });
  t.teardown(() => fake.close());
  for (const [flag, value] of [
    ['--concurrency', '0'],
    ['--concurrency', '0x4'],
    ['--max-attempts', '1e1'],
    ['--max-attempts', 'lots'],
    ['--region', 'moon'],
    ['--org-role', 'bad role!'],
  ] as const) {
    const run = await runCli(['collect', 'aws', '--endpoint-url', fake.endpoint, flag, value], {
      env: { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'x' },
    });
    t.is(run.code, 2, `${flag} ${value}`);
    t.regex(run.stderr, new RegExp(`^cloudward: ${flag}: ${flag} must be`));
    t.is(run.stderr.trim().split('\n').length, 1);
  }
  t.is(fake.calls.length, 0);
});
