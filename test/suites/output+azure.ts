// The test files of test/output/, test/azure/ in one process (see load.ts and GROUPS in files.mjs).
import { loadSuite } from './load.js';

await loadSuite('output', 'azure');
