import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium from the npm registry, so that the browser tests need nothing but `npm ci`: @sparticuz/chromium
 * carries a Brotli-compressed headless build (with SwiftShader, a font and, for Amazon Linux, the NSS, NSPR and expat
 * libraries it links). Beyond those it links only libc, libm and libgcc_s, which every Debian base has; the package's
 * own copies of the others are put first on the library path, so a machine without NSS (a Debian base) runs it as any
 * other does.
 *
 * It is unpacked once per package version and user into the temporary folder, into a folder of its own made aside
 * and renamed into place, so that runs side by side never start a half-written browser.
 */
const requireCjs = createRequire(import.meta.url);
/** The package's folder (its main module is build/cjs/index.cjs). */
const PACKAGE = dirname(dirname(dirname(requireCjs.resolve('@sparticuz/chromium'))));
const PACKED = join(PACKAGE, 'bin');

/**
 * Unpacks a .tar.br into a folder with Debian's tar, decompressed here into a file first: tar stops reading at the
 * archive's end marker, and a pipe into it then closed before the padding after the marker was written, now and then
 * failing the unpack ("Premature close") although tar had unpacked everything.
 */
async function untarBrotli(file: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  const archive = join(into, '.unpacking.tar');
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(archive));
  const tar = spawn('tar', ['-xf', archive, '-C', into], { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => tar.once('error', reject).once('close', resolve));
  await rm(archive, { force: true });
  if (code !== 0) throw new Error(`tar could not unpack ${file} (exit code ${code})`);
}

async function unpack(into: string): Promise<void> {
  const staging = await mkdtemp(`${into}.partial-`);
  const previousTmp = process.env.TMPDIR;
  // The package unpacks the browser, its fonts and SwiftShader into os.tmpdir(), read when the call starts.
  process.env.TMPDIR = staging;
  let executable: Promise<string>;
  try {
    executable = sparticuz.executablePath(PACKED);
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
  try {
    if ((await executable) !== join(staging, 'chromium'))
      throw new Error(`@sparticuz/chromium unpacked to ${await executable}, not ${staging}`);
    await untarBrotli(join(PACKED, 'al2023.tar.br'), staging);
    // The package's fonts.conf names /tmp/fonts; this one names where the fonts are here.
    await writeFile(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(into, 'fonts')}</dir>\n  <cachedir>${join(into, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
  } catch (error) {
    // A failed unpack leaves nothing half-made behind.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(staging, into);
  } catch (error) {
    // Another run unpacked it first.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(into, 'chromium'))) throw error;
  }
}

/** The unpacked browser's folder (chromium, lib/, fonts/, fonts.conf), unpacked first when needed. */
export async function chromiumFolder(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
  const into = join(tmpdir(), `cloudward-chromium-${version}-${process.getuid?.() ?? 'user'}`);
  if (!existsSync(join(into, 'chromium'))) await unpack(into);
  return into;
}

/** Launches the headless browser with the given Chromium switches. */
export async function launchChromium(args: string[]): Promise<Browser> {
  const folder = await chromiumFolder();
  return chromium.launch({
    executablePath: join(folder, 'chromium'),
    args,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [join(folder, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(folder, 'fonts.conf'),
    },
  });
}
