import test from 'ava';
import { auditLogReaders } from '../../src/providers/audit-logs.js';
import { registeredProviders } from '../../src/providers/index.js';

test('detect reads the same audit-log parts, in the same order, as the registered adapters carry', (t) => {
  const fromAdapters = registeredProviders().flatMap((p) =>
    p.auditLogs ? [{ cloud: p.name, logs: p.auditLogs }] : [],
  );
  t.deepEqual(
    auditLogReaders().map((r) => r.cloud),
    fromAdapters.map((r) => r.cloud),
  );
  auditLogReaders().forEach((reader, i) =>
    t.is(
      reader.logs,
      fromAdapters[i]!.logs,
      `${reader.cloud}: list it in src/providers/audit-logs.ts and on its adapter alike`,
    ),
  );
});

test('every audit-log part names its log sources, and no two parts claim one', (t) => {
  const seen = new Map<string, string>();
  for (const { cloud, logs } of auditLogReaders()) {
    t.true(Object.keys(logs.sources).length > 0, cloud);
    for (const source of Object.keys(logs.sources)) {
      t.is(seen.get(source), undefined, `${source} of ${cloud}`);
      seen.set(source, cloud);
    }
  }
});
