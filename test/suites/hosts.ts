// The test files of test/hosts/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('hosts');
