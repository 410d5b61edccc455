// The test files of test/providers/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('providers');
