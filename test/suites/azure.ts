// The test files of test/azure/ in one process (see load.ts).
import { loadSuite } from './load.js';

await loadSuite('azure');
