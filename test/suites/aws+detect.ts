// The test files of test/aws/, test/detect/ in one process (see load.ts and GROUPS in files.mjs).
import { loadSuite } from './load.js';

await loadSuite('aws', 'detect');
