import { readFile } from 'node:fs/promises';
import test from 'ava';
import { declaredScopeKinds } from '../../src/providers/index.js';
import { assertSnapshot } from '../../src/snapshot/validate.js';
import { EXAMPLE } from '../helpers/cli.js';

test("a snapshot's scope kinds are judged by the kinds its caller hands in, read from the registry", async (t) => {
  const value = JSON.parse(await readFile(EXAMPLE, 'utf8')) as {
    sources: Array<{ provider: string; scope: { kind: string } }>;
  };
  t.notThrows(() => assertSnapshot(value, 'acme.json', declaredScopeKinds()));
  const first = value.sources.findIndex((s) => s.provider === 'aws');
  const narrowed = new Map(declaredScopeKinds());
  narrowed.set('aws', ['cluster']);
  const error = t.throws(() => assertSnapshot(value, 'acme.json', narrowed));
  t.is(
    error?.message,
    `invalid snapshot: scope kind "${value.sources[first]!.scope.kind}" is not one provider "aws" declares (cluster)`,
  );
  t.is((error as Error & { where?: string }).where, `acme.json#/sources/${first}/scope/kind`);
  const unregistered = new Map([...declaredScopeKinds()].filter(([name]) => name !== 'aws' && name !== 'gcp'));
  t.throws(() => assertSnapshot(value, 'acme.json', unregistered), {
    message: /scope kind "account" is declared by no registered provider, and provider "aws" is not registered/,
  });
});
