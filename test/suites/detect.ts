// The test files of test/detect/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('detect');
