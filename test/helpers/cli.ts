import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * What a test runs as `node BIN ...`: bin/cloudward.js on the source (src/, through tsx), so that a test checks the
 * code as it is, built or not. Only the tests of the built package (test/output/distribution.e2e.test.ts) run BUILT_BIN.
 */
export const BIN = join(ROOT, 'test', 'helpers', 'cloudward.mjs');
/** The package's own bin/cloudward.js, which runs the build (dist/). */
export const BUILT_BIN = join(ROOT, 'bin', 'cloudward.js');
export const fixture = (...parts: string[]) => join(ROOT, 'test', 'fixtures', ...parts);
export const EXAMPLE = join(ROOT, 'examples', 'acme', 'snapshot.json');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Run in a process of its own, as `node bin/cloudward.js` (also chosen when NODE_OPTIONS is set). */
  process?: boolean;
  /** What the run reads on stdin (in this process: a stream in place of process.stdin for the run). */
  stdin?: string | Buffer;
}

/**
 * Runs the CLI from source with colour off unless the test asks for it. By default in this process, through the
 * `main()` that bin/cloudward.js calls (src/cli/main.ts, not the build), with stdout and stderr captured, the environment and working folder set for
 * the run: a node process per run cost most of the suite's time. Runs are serialised, since streams, environment and
 * working folder belong to the process. `process: true` (and NODE_OPTIONS) spawns the real thing.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  // CLOUDWARD_TEST_PROCESS=1 runs every call as a process, to compare or to rule the in-process runner out.
  if (options.process || options.env?.NODE_OPTIONS !== undefined || process.env.CLOUDWARD_TEST_PROCESS === '1')
    return runCliProcess(args, options);
  const run = queue.then(() => runInProcess(args, options));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

let queue: Promise<void> = Promise.resolve();
/** The source's main(), as the test's own imports of src/ see it (the test runner loads TypeScript through tsx). */
const MAIN = pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href;

type Write = typeof process.stdout.write;

/** A stream's write that keeps what it is given (and calls back, as a drained stream would). */
function capture(into: string[]): Write {
  return ((
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ) => {
    into.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'),
    );
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) queueMicrotask(() => done(null));
    return true;
  }) as Write;
}

async function runInProcess(args: string[], options: CliOptions): Promise<CliRun> {
  const { main } = (await import(MAIN)) as { main: (argv: string[]) => Promise<number> };
  const env: Record<string, string | undefined> = { NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  const setEnv = (key: string, value: string | undefined) => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  const cwd = process.cwd();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };
  for (const [key, value] of Object.entries(env)) setEnv(key, value);
  process.chdir(options.cwd ?? ROOT);
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (options.stdin !== undefined)
    Object.defineProperty(process, 'stdin', { value: Readable.from([options.stdin]), configurable: true });
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    if (options.stdin !== undefined) Object.defineProperty(process, 'stdin', stdin!);
    process.chdir(cwd);
    for (const [key, value] of saved) setEnv(key, value);
  }
}

/** Runs `node bin/cloudward.js` as a user would, on the source (see BIN): a process of its own. */
export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

export async function tempDir(prefix = 'cloudward-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** stderr lines that are not progress (the error or gate summary lines). */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '');
}
