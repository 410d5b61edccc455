/**
 * One flag name per meaning across providers: how often a call is tried is `--max-attempts` on every collector. A
 * former name keeps working, hidden from --help, with a warning naming the current flag.
 */
import test from 'ava';
import { UserError } from '../../src/errors.js';
import { validateOptions } from '../../src/providers/cloud/options.js';
import { providers } from '../../src/providers/index.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { runCli } from '../helpers/cli.js';

test('every collector that retries names the setting --max-attempts, and offers no other retry flag', (t) => {
  const retrying = providers.filter((p) => p.collectOptions.some((o) => /attempt|retr/i.test(o.flags)));
  t.true(retrying.length >= 3, retrying.map((p) => p.name).join(', '));
  for (const adapter of retrying) {
    const shown = adapter.collectOptions
      .filter((o) => !o.deprecated && /attempt|retr/i.test(o.flags))
      .map((o) => o.flags);
    t.deepEqual(shown, ['--max-attempts <n>'], adapter.name);
  }
});

test('--max-retries still works on collect azure: N retries become N + 1 attempts, with a warning', (t) => {
  const warnings: string[] = [];
  const options = validateOptions(
    azureProvider.collectOptions,
    { maxRetries: '2', maxAttempts: '7' },
    { warn: (line) => warnings.push(line), given: (key) => key === 'maxRetries' },
  );
  t.is(options.maxAttempts, 3);
  t.false('maxRetries' in options);
  t.deepEqual(warnings, ['cloudward: --max-retries is deprecated and will be removed: use --max-attempts 3']);
  t.throws(() => validateOptions(azureProvider.collectOptions, { maxRetries: '-1' }), {
    instanceOf: UserError,
    message: /--max-retries must be a whole number from 0 to 20/,
  });
  t.throws(
    () => validateOptions(azureProvider.collectOptions, { maxRetries: '2', maxAttempts: '5' }, { given: () => true }),
    { instanceOf: UserError, message: '--max-retries and --max-attempts set the same thing' },
  );
});

test('collect azure --help offers --max-attempts and no longer --max-retries; giving both is exit 2', async (t) => {
  const help = await runCli(['collect', 'azure', '--help']);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /--max-attempts <n>/);
  t.notRegex(help.stdout, /--max-retries/);
  const both = await runCli(['collect', 'azure', '--max-retries', '2', '--max-attempts', '5']);
  t.is(both.code, 2, both.stderr);
  t.regex(both.stderr, /--max-retries and --max-attempts set the same thing/);
  t.is(both.stderr.trim().split('\n').length, 1);
});
