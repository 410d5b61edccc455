// The test files of test/gcp/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('gcp');
