// Writes dist/policies.cache.json (the built-in checks parsed, validated and compiled at build time; see
// src/engine/policy-cache.ts) and dist/snapshot.validator.json (the snapshot schema compiled at build time; see
// src/snapshot/validate.ts) and dist/detections.cache.json (the shipped detection rules validated and compiled at
// build time, their tests left out; see src/detect/rules.ts). Run by `npm run build` after tsc.
import { buildRuleCache, RULE_CACHE_FILE } from '../dist/detect/rules.js';
import { buildPolicyCache } from '../dist/engine/load-checks.js';
import { POLICY_CACHE_FILE } from '../dist/engine/policy-cache.js';
import { buildSnapshotValidator, SNAPSHOT_VALIDATOR_FILE } from '../dist/snapshot/validate.js';
import { writeFileAtomic } from '../dist/util/files.js';

const cache = await buildPolicyCache();
await writeFileAtomic(POLICY_CACHE_FILE, `${JSON.stringify(cache)}\n`, 0o644);
await writeFileAtomic(SNAPSHOT_VALIDATOR_FILE, `${JSON.stringify(buildSnapshotValidator())}\n`, 0o644);
await writeFileAtomic(RULE_CACHE_FILE, `${JSON.stringify(await buildRuleCache())}\n`, 0o644);
