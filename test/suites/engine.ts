// The test files of test/engine/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('engine');
