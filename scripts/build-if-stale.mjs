// `npm start` (its prestart) builds dist/ only when a build input is newer than the last finished build, so starting
// the example does not spend ~15 s recompiling what is already compiled. `npm run build` ends with
// `build-if-stale.mjs --stamp`, which writes dist/.build-stamp: a build that stops half-way leaves no new stamp.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** What `npm run build` reads: the sources, the compiler settings, the checks, rules and schemas the caches are made of. */
const INPUTS = ['src', 'tsconfig.json', 'policies', 'detections', 'schemas', 'scripts/policy-cache.mjs'];

/** The newest modification time under `path` (a file or a folder, walked), or 0 when it is missing. */
function newest(path) {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

if (process.argv.includes('--stamp')) {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
} else {
  const built = newest(STAMP);
  const changed = INPUTS.find((input) => newest(join(ROOT, input)) > built);
  if (built > 0 && changed === undefined) {
    process.stderr.write('dist/ is up to date with src/, policies/, schemas/ and tsconfig.json: not rebuilding\n');
  } else {
    process.stderr.write(
      built === 0 ? 'dist/ has not been built: building\n' : `${changed} is newer than dist/: building\n`,
    );
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    process.exitCode = build.status ?? 1;
  }
}
