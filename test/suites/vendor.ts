// The test files of test/vendor/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('vendor');
