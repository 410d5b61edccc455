// The test files of test/core/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('core');
