// The test files of test/whatif/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('whatif');
