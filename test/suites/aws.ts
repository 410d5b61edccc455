// The test files of test/aws/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('aws');
