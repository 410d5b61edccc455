// The test files of test/gate/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('gate');
