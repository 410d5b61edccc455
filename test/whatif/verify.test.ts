import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { rawFiles } from '../../src/whatif/index.js';
import { projectorOf } from '../../src/whatif/registry.js';
import { checkingThreads, verifyRaw } from '../../src/whatif/verify.js';
import { EXAMPLE, ROOT } from '../helpers/cli.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw');
let example: Snapshot;

test.before(async () => {
  example = (await readSnapshotFile(EXAMPLE)).snapshot;
});

/** Starts the check of the example's AWS raw documents against `snapshot` (the example unless given). */
async function check(snapshot = example) {
  const own = (await projectorOf('aws'))!;
  const files = await rawFiles([RAW]);
  const read = (f: string[]) => own.projector.readRaw!(f, snapshot.sources);
  return verifyRaw(snapshot, 'aws', files, await read(files), read, own.normalize);
}

// Serial: ava runs a process's serial tests before the others, so no other test of the folder's process starts checks
// while this one counts the threads.
test.serial(
  'checking threads are kept for later checks, at most one per core, and a cancelled check stops its thread',
  async (t) => {
    const many = await Promise.all(Array.from({ length: 6 }, () => check()));
    await t.notThrowsAsync(Promise.all(many.map((c) => c.done)));
    const threads = checkingThreads();
    t.true(threads >= 1 && threads <= availableParallelism(), `${threads} threads for 6 checks`);

    await t.notThrowsAsync((await check()).done);
    t.is(checkingThreads(), threads, 'a later check reuses a kept thread');

    // A kept thread still finds a difference: it reads the documents afresh each time.
    const changed = structuredClone(example);
    const kim = changed.principals.find((p) => p.provider === 'aws' && p.name === 'kim.nguyen')!;
    kim.name = 'kim.changed';
    const refused = await t.throwsAsync((await check(changed)).done);
    t.regex(
      refused?.message ?? '',
      /raw documents of aws:account\/\d+ do not reproduce the snapshot: principal .*differs/,
    );

    const cancelled = await check();
    cancelled.cancel();
    await t.notThrowsAsync(cancelled.done, 'a cancelled check neither fails nor runs here');
    await t.notThrowsAsync((await check()).done, 'the check after a cancelled one is answered');
    t.true(checkingThreads() <= availableParallelism());
  },
);
