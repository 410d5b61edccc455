import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { runCli, type CliRun } from '../helpers/cli.js';

export { EXAMPLE, ROOT, tempDir, type CliRun } from '../helpers/cli.js';

export interface UserSpec {
  name: string;
  mfa: 'enabled' | 'disabled' | 'unknown';
}

const SCOPE = { kind: 'project' as const, id: 'acme-prod' };

/**
 * A small GCP project: users (gcp-users-2sv-enrolled, high), one service account (gcp-service-accounts-not-admin,
 * high) and the audit-logging aggregate (gcp-audit-logging-all-services, medium). `gaps` go on the source.
 */
export function gcpSnapshot(options: {
  users: UserSpec[];
  adminServiceAccount?: boolean;
  gaps?: Array<{ what: string; reason: string }>;
}): Snapshot {
  return {
    schemaVersion: '1.0',
    generator: { name: 'cloudward', version: '0.1.0' },
    collectedAt: '2026-11-01T00:00:00Z',
    sources: [
      {
        provider: 'gcp',
        scope: SCOPE,
        method: 'import',
        collectedAt: '2026-11-01T00:00:00Z',
        gaps: options.gaps ?? [],
      },
    ],
    principals: [
      ...options.users.map((u) => ({
        uid: `gcp:acme-prod:user/${u.name}`,
        provider: 'gcp' as const,
        scope: SCOPE,
        nativeId: `user:${u.name}@acme.com`,
        kind: 'user' as const,
        name: `${u.name}@acme.com`,
        enabled: true,
        mfa: { state: u.mfa },
      })),
      {
        uid: 'gcp:acme-prod:serviceAccount/deployer',
        provider: 'gcp' as const,
        scope: SCOPE,
        nativeId: 'deployer@acme-prod.iam.gserviceaccount.com',
        kind: 'serviceAccount' as const,
        name: 'deployer@acme-prod.iam.gserviceaccount.com',
        privilege: options.adminServiceAccount
          ? { level: 'admin' as const, reasons: ['roles/owner on projects/acme-prod'] }
          : { level: 'none' as const, reasons: [] },
        assignments: [],
      },
    ],
    roles: [],
    controls: [],
    hosts: [],
  };
}

/** Writes JSON; a snapshot without a digest gets one, as `collect` and `import` write it (audits refuse one without). */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  const snapshot = value as Partial<Snapshot> | null;
  const digested =
    snapshot &&
    typeof snapshot === 'object' &&
    'schemaVersion' in snapshot &&
    Array.isArray(snapshot.principals) &&
    !snapshot.digest
      ? { ...snapshot, digest: snapshotDigest(snapshot as Snapshot) }
      : value;
  writeFileSync(path, `${JSON.stringify(digested, null, 2)}\n`);
  return path;
}

export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Report time for CLI runs: 2026-11-18T11:06:40Z, so waiver expiry is judged on a fixed day. */
export const REPORT_EPOCH = '1795000000';
export const REPORT_TIME = '2026-11-18T11:06:40.000Z';

/** The built CLI with the report clock pinned (`npm run build` first). */
export function cloudward(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  return runCli(args, { ...options, env: { SOURCE_DATE_EPOCH: REPORT_EPOCH, ...options.env } });
}

/** Only the checks these fixtures exercise, so tests do not depend on which policies ship. */
export const FIXTURE_CHECKS = [
  'gcp-users-2sv-enrolled',
  'gcp-service-accounts-not-admin',
  'gcp-audit-logging-all-services',
];
export const CHECKS_FLAG = ['--checks', FIXTURE_CHECKS.join(',')];
