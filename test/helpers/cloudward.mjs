// `node test/helpers/cloudward.mjs ARGS` is `node bin/cloudward.js ARGS` on the source: tsx compiles src/ as it is
// imported, and each import of the build (dist/**/*.js) is served by its source (src/**/*.ts). A process a test starts
// thus runs the code under test, built or not; only the tests of the built package start bin/cloudward.js itself.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./source-hooks.mjs', import.meta.url);
await import('../../bin/cloudward.js');
