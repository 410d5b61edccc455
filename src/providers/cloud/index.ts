/**
 * The cloud provider kit: what every cloud collector needs, once. See docs/providers/adding.md.
 *
 * - attempt-then-gap (`attempt`, `gapFor`, `scopeNotEntered`): a failed read is a gap naming the operation and the
 *   permission or licence it needed, never an abort and never an empty answer;
 * - call and throttle counting (`CallStats`, `countAttempts`);
 * - bounded concurrency across scopes, sharding and streaming (`collectScopes`, `--shard K/N`, `context.sink`);
 * - retries with backoff that honour Retry-After for HTTP APIs (`withRetries`, `fetchJson`, `fetchAllPages`);
 * - the `--raw-out` writer (`createRawWriter`); stable order (`sortDocuments`, `sortGaps`, `sortById`);
 * - options as schemas (`validateOptions`), permissions generated from declared operations (`permissionsOf`).
 */
export {
  attempt,
  errorFacts,
  gapFor,
  isDenied,
  isUnlicensed,
  operationTable,
  scopeNotEntered,
  type Attempted,
  type ErrorFacts,
} from './attempt.js';
export { validateOptions, optionKey, optionFlag, wholeNumber } from './options.js';
export { sortDocuments, sortGaps, sortById } from './order.js';
export { licencesOf, permissionsOf, permissionsText, undeclaredCalls, type OperationLevel } from './permissions.js';
export {
  createRawWriter,
  defaultRawFiles,
  safeFileName,
  RAW_NOTE_FILE,
  type RawFile,
  type RawWriter,
} from './raw-out.js';
export {
  fetchAllPages,
  fetchJson,
  HttpError,
  isRetryable,
  retryAfterMs,
  withRetries,
  type JsonRequest,
  type RetryOptions,
} from './retry.js';
export { collectScopes, collectionTime, ownsOrganizationScope, type ScopePlan } from './scopes.js';
export { inShard, parseShard, selectShard, shardOf, type Shard } from './shard.js';
export { countAttempts, createStats, describeStats, isThrottle, type CallStats } from './stats.js';
