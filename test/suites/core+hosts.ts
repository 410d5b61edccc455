// The test files of test/core/, test/hosts/ in one process (see load.ts and GROUPS in files.mjs).
import { loadSuite } from './load.js';

await loadSuite('core', 'hosts');
