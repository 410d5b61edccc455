/**
 * Account-level settings as snapshot controls: the IAM password policy, Organizations SCPs (and the guardrail layers
 * they put on the account's principals), and CloudTrail trails.
 */
import type { Control, Scope } from '../../snapshot/model.js';
import type { AccountView, ServiceControlPolicy, TrailView } from './account-view.js';
import type { PolicyTarget } from './documents.js';
import {
  parsePolicyDocument,
  permissionPatterns,
  PolicyDocumentError,
  statementCoversAction,
  statementCoversAnyResource,
  type PolicyDocument,
} from './policy-document.js';
import type { Guardrail } from './privilege.js';

export function normalizePasswordPolicy(view: AccountView, scope: Scope): Control {
  const base = {
    uid: `aws:${view.accountId}:password-policy`,
    provider: 'aws' as const,
    scope,
    type: 'password-policy',
    name: 'IAM account password policy',
  };
  const policy = view.passwordPolicy;
  if (policy === undefined) return { ...base, state: 'unknown', settings: {} };
  if (policy === null) return { ...base, state: 'disabled', settings: { configured: false } };
  return {
    ...base,
    state: 'enabled',
    settings: {
      configured: true,
      minimumLength: policy.MinimumPasswordLength ?? null,
      requireSymbols: policy.RequireSymbols ?? false,
      requireNumbers: policy.RequireNumbers ?? false,
      requireUppercase: policy.RequireUppercaseCharacters ?? false,
      requireLowercase: policy.RequireLowercaseCharacters ?? false,
      allowUsersToChangePassword: policy.AllowUsersToChangePassword ?? false,
      expirePasswords: policy.ExpirePasswords ?? false,
      maxPasswordAgeDays: policy.MaxPasswordAge ?? null,
      reusePrevention: policy.PasswordReusePrevention ?? 0,
      hardExpiry: policy.HardExpiry ?? false,
    },
  };
}

const CLOUDSHELL_PROBES = [
  'cloudshell:CreateEnvironment',
  'cloudshell:CreateSession',
  'cloudshell:StartEnvironment',
  'cloudshell:PutCredentials',
  'cloudshell:GetFileDownloadUrls',
  'cloudshell:AnyFutureAction',
];

/** Whether a document denies every CloudShell action unconditionally on every resource (`cloudshell:*` or wider). */
function deniesCloudShell(document: PolicyDocument): boolean {
  return document.statements.some(
    (s) =>
      s.effect === 'Deny' &&
      !s.condition &&
      statementCoversAnyResource(s) &&
      CLOUDSHELL_PROBES.every((a) => statementCoversAction(s, a)),
  );
}

function scpDocument(scp: ServiceControlPolicy): PolicyDocument | undefined {
  if (scp.content === undefined) return undefined;
  try {
    return parsePolicyDocument(scp.content);
  } catch (error) {
    if (error instanceof PolicyDocumentError) return undefined;
    throw error;
  }
}

/** The organization's management account, from a ROOT target's or a customer SCP's ARN (`arn:aws:organizations::<id>:...`). */
function managementAccountId(scps: ServiceControlPolicy[]): string | undefined {
  const arns = [...scps.flatMap((s) => (s.targets ?? []).map((t) => t.Arn ?? '')), ...scps.map((s) => s.arn)];
  for (const arn of arns) {
    const match = /^arn:[^:]+:organizations::(\d{12}):/.exec(arn);
    if (match) return match[1];
  }
  return undefined;
}

function summarize(document: PolicyDocument): string {
  return document.statements
    .map(
      (s) =>
        `${s.effect} ${s.actions ? s.actions.join(',') : `NOT ${s.notActions?.join(',') ?? ''}`}${s.condition ? ' (conditional)' : ''}`,
    )
    .join('; ');
}

/** One level of the organization an account sits under: the root, an OU on its path, or the account itself. */
interface Level {
  name: string;
  documents: PolicyDocument[];
  /** False when an SCP attached here could not be read: the level is then left out (it can only narrow further). */
  complete: boolean;
}

/**
 * SCP controls, and the guardrail layers they impose on this account's principals: one per level from the root down
 * through every OU on the account's path (ListParents) to the account. Each level must allow an action and any Deny
 * at any level denies, which is what a layer per level gives. SCPs do not apply to the management account. A level
 * whose SCPs are not all readable is left out, and so are the OU levels above an unread parent: leaving a level out can
 * only overstate privilege, never understate it (the gap on aws.scp says what was not read).
 */
export function normalizeScps(view: AccountView, scope: Scope): { controls: Control[]; layers: Guardrail[] } {
  if (view.organization?.inOrganization !== true) return { controls: [], layers: [] };
  const { scps, path } = view.organization;
  const management = managementAccountId(scps);
  const isManagement = management === view.accountId;
  const ous = path.parents.filter((p) => p.type !== 'ROOT').reverse();
  const levels = new Map<string, Level>([
    ['root', { name: 'SCPs attached to the organization root', documents: [], complete: true }],
    ...ous.map((ou): [string, Level] => [
      ou.id,
      { name: `SCPs attached to OU ${ou.id}`, documents: [], complete: true },
    ]),
    ['account', { name: 'SCPs attached to the account', documents: [], complete: true }],
  ]);
  const levelOf = (t: PolicyTarget): Level | undefined => {
    if (t.Type === 'ROOT') return levels.get('root');
    if (t.Type === 'ACCOUNT') return t.TargetId === view.accountId ? levels.get('account') : undefined;
    if (
      t.Type === 'ORGANIZATIONAL_UNIT' &&
      t.TargetId !== undefined &&
      t.TargetId !== 'root' &&
      t.TargetId !== 'account'
    ) {
      const level = levels.get(t.TargetId);
      if (level && t.Name) level.name = `SCPs attached to OU ${t.Name} (${t.TargetId})`;
      return level;
    }
    return undefined;
  };
  let targetsKnown = true;
  const controls = scps.map((scp): Control => {
    const document = scpDocument(scp);
    const targets = scp.targets;
    const attachedToRoot = targets?.some((t) => t.Type === 'ROOT');
    const attachedToAccount = targets?.some((t) => t.Type === 'ACCOUNT' && t.TargetId === view.accountId);
    const settings: Record<string, unknown> = {
      policyId: scp.id,
      arn: scp.arn,
      awsManaged: scp.awsManaged,
      managementAccount: management ?? null,
    };
    if (document) {
      settings.deniesCloudShell = deniesCloudShell(document);
      settings.contentSummary = summarize(document);
      const patterns = permissionPatterns(document);
      settings.allowedActions = patterns.allow;
      settings.deniedActions = patterns.deny;
    }
    if (targets) {
      const onPath = targets.map(levelOf).filter((l): l is Level => l !== undefined);
      const attachedToPathOu = targets.some(
        (t) => t.Type === 'ORGANIZATIONAL_UNIT' && ous.some((o) => o.id === t.TargetId),
      );
      settings.targets = targets.map((t) => ({ type: t.Type ?? null, id: t.TargetId ?? null, name: t.Name ?? null }));
      settings.attached = targets.length > 0;
      settings.attachedToRoot = attachedToRoot;
      settings.attachedToAccount = attachedToAccount;
      settings.attachedToAccountOu = attachedToPathOu;
      // An SCP on an OU off the known part of an unfinished path may or may not apply: left unsaid.
      const offPath =
        !path.complete &&
        targets.some((t) => t.Type === 'ORGANIZATIONAL_UNIT' && !ous.some((o) => o.id === t.TargetId));
      if (isManagement || onPath.length > 0 || !offPath) settings.appliesToAccount = !isManagement && onPath.length > 0;
      for (const level of new Set(onPath)) {
        if (document) level.documents.push(document);
        else level.complete = false;
      }
    } else targetsKnown = false;
    return {
      uid: `aws:${view.accountId}:scp/${scp.id}`,
      provider: 'aws',
      scope,
      type: 'service-control-policy',
      name: scp.name,
      state: targets === undefined ? 'unknown' : targets.length > 0 ? 'enabled' : 'disabled',
      settings,
    };
  });
  const layers: Guardrail[] = [];
  // An SCP whose targets are unknown could sit at any level: no level's allow-list is then known.
  if (!isManagement && management !== undefined && targetsKnown) {
    for (const level of levels.values())
      if (level.complete && level.documents.length > 0) layers.push({ name: level.name, documents: level.documents });
  }
  return { controls, layers };
}

/** The items of a list field, or none when an edited export put something else there. */
const listOf = <T>(value: T[] | undefined): T[] =>
  Array.isArray(value) ? value.filter((v): v is NonNullable<T> => v !== null && typeof v === 'object') : [];

function managementEvents(view: TrailView): { read: boolean; write: boolean } | undefined {
  const selectors = view.selectors;
  if (!selectors) return undefined;
  const out = { read: false, write: false };
  for (const s of listOf(selectors.EventSelectors)) {
    if (s.IncludeManagementEvents === false) continue;
    const type = s.ReadWriteType ?? 'All';
    if (type === 'All' || type === 'ReadOnly') out.read = true;
    if (type === 'All' || type === 'WriteOnly') out.write = true;
  }
  for (const s of listOf(selectors.AdvancedEventSelectors)) {
    const fields = listOf(s.FieldSelectors);
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!(Array.isArray(category?.Equals) && category.Equals.includes('Management'))) continue;
    const readOnly = fields.find((f) => f.Field === 'readOnly');
    const only = Array.isArray(readOnly?.Equals) ? readOnly.Equals[0] : undefined;
    if (only === undefined || only === 'true') out.read = true;
    if (only === undefined || only === 'false') out.write = true;
  }
  return out;
}

export function normalizeTrails(view: AccountView, scope: Scope): Control[] {
  return (view.trails ?? []).map((item): Control => {
    const trail = item.trail;
    const name = trail.Name ?? trail.TrailARN ?? 'unnamed';
    const settings: Record<string, unknown> = {
      trailArn: trail.TrailARN ?? null,
      homeRegion: trail.HomeRegion ?? null,
      multiRegion: trail.IsMultiRegionTrail === true,
      organizationTrail: trail.IsOrganizationTrail === true,
      logFileValidation: trail.LogFileValidationEnabled === true,
      includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
      cloudWatchLogs: typeof trail.CloudWatchLogsLogGroupArn === 'string',
      kmsEncrypted: typeof trail.KmsKeyId === 'string',
      s3BucketName: trail.S3BucketName ?? null,
    };
    if (typeof item.status?.IsLogging === 'boolean') {
      settings.isLogging = item.status.IsLogging;
      settings.latestDeliveryError = item.status.LatestDeliveryError ?? null;
    }
    const events = managementEvents(item);
    if (events) settings.managementEvents = events;
    return {
      uid: `aws:${view.accountId}:trail/${trail.HomeRegion ?? 'unknown'}/${name}`,
      provider: 'aws',
      scope,
      type: 'audit-logging',
      name,
      state: settings.isLogging === undefined ? 'unknown' : settings.isLogging ? 'enabled' : 'disabled',
      settings,
    };
  });
}
