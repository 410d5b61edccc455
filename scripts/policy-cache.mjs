// Writes dist/policies.cache.json: the built-in checks parsed and validated at build time (see
// src/engine/policy-cache.ts). Run by `npm run build` after tsc.
import { buildPolicyCache } from '../dist/engine/load-checks.js';
import { POLICY_CACHE_FILE } from '../dist/engine/policy-cache.js';
import { writeFileAtomic } from '../dist/util/files.js';

const cache = await buildPolicyCache();
await writeFileAtomic(POLICY_CACHE_FILE, `${JSON.stringify(cache)}\n`, 0o644);
