// The test files of test/privilege/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('privilege');
