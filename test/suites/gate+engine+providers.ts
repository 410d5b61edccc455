// The test files of test/gate/, test/engine/, test/providers/ in one process (see load.ts and GROUPS in files.mjs).
import { loadSuite } from './load.js';

await loadSuite('gate', 'engine', 'providers');
