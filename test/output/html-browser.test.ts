import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { launchChromium } from '../support/chromium.js';

// The page's globals, as the functions handed to page.evaluate use them in the browser (the tests are typed without
// the DOM library, which would change what src/ sees too).
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
/**
 * With CLOUDWARD_SCREENSHOTS=1, screenshots are kept here for a person to look at (not committed). Taking them is
 * most of this file's time (software rendering of tall pages), and no assertion reads them, so `npm test` takes none.
 */
const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'html');
const SCREENSHOTS = process.env.CLOUDWARD_SCREENSHOTS === '1';
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'narrow', width: 420, height: 900 },
];

let browser: Browser;
const reports: Record<string, string> = {};

test.before(async () => {
  if (SCREENSHOTS) await mkdir(ARTIFACTS, { recursive: true });
  const dir = await tempDir();
  const env = { SOURCE_DATE_EPOCH: '1793523600' };
  const make = async (name: string, args: string[]) => {
    const path = join(dir, `${name}.html`);
    const run = await runCli(['audit', EXAMPLE, '-f', 'html', '-o', path, ...args], { env });
    if (run.code > 1) throw new Error(run.stderr);
    reports[name] = path;
  };
  await make('gate-context', [
    '--baseline',
    'examples/acme/baseline.json',
    '--waivers',
    'examples/acme/waivers.yaml',
    '--skip-checks',
    'aws-root-mfa-enabled',
    '--compliance',
    'cis-aws-v5.0.0',
  ]);
  await make('gate-off', ['--fail-on', 'none']);
  browser = await launchChromium(ARGS);
});

test.after.always(async () => {
  await browser?.close();
});

/** Opens a report, failing on any console error, page error or request leaving the file. */
async function open(file: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) problems.push(`request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  opened.push({ page, problems });
  return page;
}

const opened: Array<{ page: Page; problems: string[] }> = [];

/** Each test ends with this: no console errors, page errors or network requests in any page it opened. */
async function closeAll(t: import('ava').ExecutionContext): Promise<void> {
  for (const { page, problems } of opened.splice(0)) {
    t.deepEqual(problems, [], 'no console errors, page errors or network requests');
    await page.close();
  }
}

/**
 * Keeps a screenshot for people to look at (test/artifacts/html/). The bundled headless shell now and then answers a
 * capture with "Unable to capture screenshot" (software rendering of a tall page); a capture is tried three times,
 * and one that still fails is logged, not failed: the assertions above are what the test checks, not the picture.
 */
async function keepScreenshot(
  t: ExecutionContext,
  file: string,
  take: (path: string) => Promise<unknown>,
): Promise<void> {
  if (!SCREENSHOTS) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await take(join(ARTIFACTS, file));
      return;
    } catch (error) {
      if (!/Unable to capture screenshot/.test((error as Error).message)) throw error;
      if (attempt === 3) {
        t.log(`${file}: not kept (${(error as Error).message.split('\n')[0]})`);
        return;
      }
    }
  }
}

for (const { name, width, height } of WIDTHS) {
  test.serial(
    `HTML report at ${width}px: no console error, no sideways scrolling of the page, digest whole`,
    async (t) => {
      for (const report of ['gate-context', 'gate-off']) {
        const page = await open(reports[report]!, { width, height });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        t.true(overflow <= 0, `${report}: the page is ${overflow}px wider than the ${width}px window`);
        // Every hash is shown whole: wrapped, not clipped (its box is as wide as its text).
        const clipped = await page.$$eval(
          'code.hash',
          (codes) =>
            codes.filter((c) => {
              const box = c.getBoundingClientRect();
              return (
                c.scrollWidth > c.clientWidth + 1 || box.right > window.innerWidth || c.getClientRects().length > 3
              );
            }).length,
        );
        t.is(clipped, 0, `${report}: a digest is clipped`);
        // Score, bar and counts columns line up across mitigations and measures.
        const lefts = await page.$$eval('table.score tbody td.num', (cells) => [
          ...new Set(cells.map((c) => Math.round(c.getBoundingClientRect().left))),
        ]);
        t.is(lefts.length, 1, `${report}: score columns start at ${lefts.join(', ')}`);
        // The scorecard fits the window: no column pushed out of sight.
        const scoreOverflow = await page.$eval(
          'table.score',
          (table) => table.getBoundingClientRect().right - window.innerWidth,
        );
        t.true(scoreOverflow <= 0, `${report}: the scorecard runs ${scoreOverflow}px past the window`);
        for (const overflowing of await page.$$eval('table.compliance', (tables) =>
          tables.map((x) => x.getBoundingClientRect().right - window.innerWidth),
        )) {
          t.true(overflowing <= 0, `${report}: the compliance table runs ${overflowing}px past the window`);
        }
        await keepScreenshot(t, `${report}-${name}.png`, (path) => page.screenshot({ path, fullPage: true }));
        await keepScreenshot(t, `${report}-${name}-top.png`, (path) => page.screenshot({ path }));
        await keepScreenshot(t, `${report}-${name}-files.png`, (path) =>
          page.locator('div.files').screenshot({ path }),
        );
      }
      await closeAll(t);
    },
  );
}

test.serial(
  'the gate box says "not applied" with --fail-on none, and shows baseline and waiver context otherwise',
  async (t) => {
    const off = await open(reports['gate-off']!, WIDTHS[0]!);
    t.regex(await off.locator('.gate').innerText(), /^Gate not applied/);
    t.is(await off.locator('.gate.ok').count(), 0);
    const on = await open(reports['gate-context']!, WIDTHS[0]!);
    const gate = await on.locator('.gate').innerText();
    t.regex(gate, /^Gate failed/);
    t.regex(gate, /Against baseline .*baseline\.json: \d+ new, \d+ unchanged, \d+ fixed, \d+ not evaluated/);
    t.regex(gate, /Waivers: \d+ active, \d+ expired, \d+ stale/);
    t.regex(await on.locator('#waivers + .scroll').innerText(), /expired/);
    t.true(await on.locator('#baseline').isVisible());
    await closeAll(t);
  },
);

test.serial(
  'passing results are listed with their evidence, collapsed, and the filter narrows every list',
  async (t) => {
    const page = await open(reports['gate-off']!, WIDTHS[0]!);
    const passing = page.locator('details.results');
    t.regex(await passing.locator(':scope > summary').innerText(), /Show the \d+ passing results/);
    t.false(await passing.evaluate((d) => (d as unknown as { open: boolean }).open));
    t.true((await passing.locator('li[data-filter]').count()) > 10);
    t.true((await passing.locator('li details table.evidence').count()) > 0, 'passing results carry their evidence');
    const visibleSections = () => page.locator('section.check:visible').count();
    const before = await visibleSections();
    await page.fill('#filter', 'aws-root-mfa-enabled');
    t.true(await passing.evaluate((d) => (d as unknown as { open: boolean }).open), 'filtering opens the passing list');
    const after = await visibleSections();
    t.true(after >= 1 && after < before, `${before} -> ${after}`);
    for (const title of await page.locator('section.check:visible h4 code').allInnerTexts())
      t.is(title, 'aws-root-mfa-enabled');
    await page.fill('#filter', 'legacy-etl');
    const items = await page.locator('li[data-filter]:visible .uid').allInnerTexts();
    t.true(items.length > 0 && items.every((uid) => uid.includes('legacy-etl')), items.join('\n'));
    await page.fill('#filter', '');
    t.is(await visibleSections(), before);
    await closeAll(t);
  },
);
