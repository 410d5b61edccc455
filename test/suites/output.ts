// The test files of test/output/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('output');
