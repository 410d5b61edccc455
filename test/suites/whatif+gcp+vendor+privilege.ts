// The test files of test/whatif/, test/gcp/, test/vendor/, test/privilege/ in one process (see load.ts and GROUPS in files.mjs).
import { loadSuite } from './load.js';

await loadSuite('whatif', 'gcp', 'vendor', 'privilege');
