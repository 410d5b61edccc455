// The long end-to-end runs, `npm run test:e2e`: whole live collections against the fake providers, the built package,
// signals during large writes, what-if reports compared whole, scale and benchmark checks, and the property and fuzz
// suites. Same settings as `npm test` (package.json "ava"), other files: a test file is in `npm test` unless it is
// named *.e2e.test.ts or *.property.test.ts or sits in test/fuzz/ or test/bench/.
import { readFileSync } from 'node:fs';

const { ava } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export const E2E = [
  'test/**/*.e2e.test.ts',
  'test/**/*.property.test.ts',
  'test/fuzz/**/*.test.ts',
  'test/bench/**/*.test.ts',
];

// Long runs beside others on a shared machine can outlast ava's two-minute inactivity limit (what-if reports whole).
export default { ...ava, files: E2E, timeout: '10m' };
