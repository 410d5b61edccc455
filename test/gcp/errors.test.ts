import test from 'ava';
import { createRequire } from 'node:module';
import { toHttpError } from '../../src/providers/gcp/clients.js';
import { HttpError } from '../../src/providers/cloud/retry.js';

const require = createRequire(import.meta.url);
const quota = {
  code: 429,
  message: 'Quota exceeded',
  status: 'RESOURCE_EXHAUSTED',
  details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }],
};

test('org-policy google-gax 4 errors carry no headers: a RetryInfo detail in the body sets the wait', (t) => {
  // The GoogleError org-policy's own google-gax builds from Google's JSON error body.
  const gax = require(require.resolve('google-gax', { paths: [require.resolve('@google-cloud/org-policy')] })) as {
    GoogleError: { parseHttpError(json: unknown): Error };
  };
  const error = toHttpError(gax.GoogleError.parseHttpError({ error: quota }));
  t.true(error instanceof HttpError);
  t.like(error as HttpError, { status: 429, code: 'RESOURCE_EXHAUSTED', retryAfterMs: 3000 });
});

test('a gaxios 6 error with plain-object headers still gives Retry-After', (t) => {
  const error = toHttpError({
    message: 'x',
    response: { status: 429, headers: { 'Retry-After': '2' }, data: { error: quota } },
  });
  t.like(error as HttpError, { status: 429, code: 'RESOURCE_EXHAUSTED', retryAfterMs: 2000 });
});

test('a gRPC GoogleError carries the response headers as metadata: its retry-after sets the wait', (t) => {
  const { Metadata } = require('@grpc/grpc-js') as { Metadata: new () => { set(k: string, v: string): void } };
  const { GoogleError } = require('google-gax') as {
    GoogleError: new (message: string) => Error & { code?: number; metadata?: unknown };
  };
  const metadata = new Metadata();
  metadata.set('retry-after', '4');
  const error = Object.assign(new GoogleError('Quota exceeded'), { code: 8, metadata });
  t.like(toHttpError(error) as HttpError, { status: 429, code: 'RESOURCE_EXHAUSTED', retryAfterMs: 4000 });
});
