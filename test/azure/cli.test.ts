import test from 'ava';
import { messageLines, runCli } from '../helpers/cli.js';

test('collect azure: a bad option is one line naming the flag, exit 2, before any call', async (t) => {
  const http = await runCli(['collect', 'azure', '--arm-endpoint', 'http://127.0.0.1:1']);
  t.is(http.code, 2);
  t.deepEqual(messageLines(http.stderr).length, 1);
  t.regex(http.stderr, /--arm-endpoint must be an https URL/);
  const concurrency = await runCli(['collect', 'azure', '--concurrency', '0']);
  t.is(concurrency.code, 2);
  t.regex(concurrency.stderr, /--concurrency must be a whole number from 1 to 64/);
});

test('collect azure without any credential says how to sign in, exit 2, no stack trace', async (t) => {
  const run = await runCli(['collect', 'azure', '-q'], {
    env: {
      AZURE_TOKEN_CREDENTIALS: 'prod',
      AZURE_CLIENT_ID: undefined,
      AZURE_TENANT_ID: undefined,
      AZURE_CLIENT_SECRET: undefined,
      IDENTITY_ENDPOINT: undefined,
      MSI_ENDPOINT: undefined,
    },
  });
  t.is(run.code, 2);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /no usable Azure credential: .*az login/);
});
