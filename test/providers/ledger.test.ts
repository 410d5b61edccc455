import test from 'ava';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  accountsByOrigin,
  ItemLedger,
  itemLine,
  relativeItemOrigins,
  UNACCOUNTED,
} from '../../src/providers/cloud/ledger.js';
import { awsProvider } from '../../src/providers/aws/index.js';
import { gcpProvider } from '../../src/providers/gcp/index.js';
import { linuxAdapter } from '../../src/providers/linux/index.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { windowsAdapter } from '../../src/providers/windows/index.js';
import type { Source } from '../../src/snapshot/model.js';
import { packagePath } from '../../src/util/paths.js';

const quiet = { status: () => {}, warn: () => {} };

test('the books close: items read and never accounted for are reported as dropped, not lost', (t) => {
  const ledger = new ItemLedger().read('a.json', 5).used('a.json', 3).skipped('a.json', 'not needed');
  t.deepEqual(ledger.accounts(), [
    {
      origin: 'a.json',
      read: 5,
      used: 3,
      skipped: [{ reason: 'not needed', count: 1 }],
      dropped: [{ reason: UNACCOUNTED, count: 1 }],
    },
  ]);
});

test('a drop with a topic opens a gap naming the input; a drop without one is a warning only', (t) => {
  const ledger = new ItemLedger()
    .read('x', 2)
    .dropped('x', 'member of no known form', 'gcp.iam-policy')
    .dropped('x', 'a second copy');
  const source: Source = {
    provider: 'gcp',
    scope: { kind: 'organization', id: '1' },
    method: 'import',
    collectedAt: '2026-11-01T09:00:00Z',
    gaps: [],
  };
  ledger.settle(source);
  t.deepEqual(source.gaps, [
    { what: 'gcp.iam-policy', reason: '1 item(s) dropped: member of no known form', call: 'x' },
  ]);
  t.is(
    itemLine(source.items![0]!),
    'x: 2 read, 0 used, 2 dropped (1 a second copy; 1 member of no known form [gap gcp.iam-policy])',
  );
});

test('a file feeding several sources is added up; origins are named relative to the folder the files share', (t) => {
  const source = (id: string, read: number): Source => ({
    provider: 'aws',
    scope: { kind: 'account', id },
    method: 'import',
    collectedAt: '2026-11-01T09:00:00Z',
    gaps: [{ what: 't', reason: 'r', call: '/x/b/f.json' }],
    items: [{ origin: '/x/b/f.json', read, used: read }],
  });
  const sources = [source('1', 2), source('2', 3)];
  t.like(accountsByOrigin(sources).get('/x/b/f.json'), { read: 5, used: 5 });
  relativeItemOrigins(sources, ['/x/a/e.json', '/x/b/f.json']);
  t.is(sources[0]!.items![0]!.origin, 'b/f.json');
  t.is(sources[0]!.gaps[0]!.call, 'b/f.json');
});

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );

const inputs: Array<[string, ProviderAdapter, string[], Record<string, unknown>]> = [
  ['aws example', awsProvider, files(packagePath('examples', 'acme', 'raw', 'aws')), {}],
  ['aws fixtures', awsProvider, files(packagePath('test', 'fixtures', 'aws', '123456789012')), {}],
  ['gcp example', gcpProvider, files(packagePath('examples', 'acme', 'raw', 'gcp')), {}],
  [
    'gcp fixtures',
    gcpProvider,
    files(packagePath('test', 'fixtures', 'gcp')).filter((f) => dirname(f) === packagePath('test', 'fixtures', 'gcp')),
    {},
  ],
  // The escalation playground is an organization of its own (the roles-list and sa-policy folders name none).
  ...['escalation-playground'].map((folder): [string, ProviderAdapter, string[], Record<string, unknown>] => [
    `gcp ${folder} fixtures`,
    gcpProvider,
    files(packagePath('test', 'fixtures', 'gcp', folder)).filter((f) => f.endsWith('.json')),
    {},
  ]),
  ['windows example', windowsAdapter, [packagePath('examples', 'acme', 'raw', 'windows', 'acme-jump-01.json')], {}],
  ['windows bundle fixture', windowsAdapter, [packagePath('test', 'fixtures', 'windows', 'bundle-ws-01.json')], {}],
  ['linux example', linuxAdapter, [packagePath('examples', 'acme', 'raw', 'linux', 'acme-build-07.json')], {}],
];

for (const [name, adapter, paths, options] of inputs) {
  test(`every file of the ${name} is accounted: read = used + skipped + dropped, nothing unaccounted`, async (t) => {
    const part = adapter.normalize(
      await adapter.importFiles(paths, { options, progress: quiet, collectedAt: '2026-11-01T09:00:00Z' }),
    );
    const accounts = accountsByOrigin(part.sources);
    for (const path of paths) t.true(accounts.has(path), `no account for ${path}`);
    for (const account of accounts.values()) {
      const settled =
        account.used +
        (account.skipped ?? []).reduce((n, r) => n + r.count, 0) +
        (account.dropped ?? []).reduce((n, r) => n + r.count, 0);
      t.is(settled, account.read, account.origin);
      t.false(
        (account.dropped ?? []).some((d) => d.reason === UNACCOUNTED),
        itemLine(account),
      );
    }
  });
}
