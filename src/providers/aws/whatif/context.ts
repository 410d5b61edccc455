/**
 * What every AWS change handler shares: the accounts' editable documents, the account each change lands in, the
 * values of a change's attributes (known, known through a reference to another planned resource, or unknown), and
 * the record of what each change touched and what could not be known.
 */
import { UserError } from '../../../errors.js';
import { parsePolicyDocument, PolicyDocumentError } from '../policy-document.js';
import type { RawBundle } from '../../types.js';
import { constantOf, dataSourceValues, type Plan, type PlanChange } from '../../whatif/plan.js';
import { PlanValues } from '../../whatif/plan-values.js';
import { AccountDocs } from './account-docs.js';

/** Something a change reaches, resolved to snapshot uids once the projected part is normalized. */
export type Touch =
  | { kind: 'user' | 'group' | 'role'; account: string; name: string }
  | { kind: 'policy'; account: string; arn: string }
  | { kind: 'scp'; account: string; id: string }
  | { kind: 'trail'; account: string; arn: string }
  | { kind: 'account'; account: string };

const IAM_ACCOUNT = /^arn:aws[a-z-]*:iam::(\d{12}):/;
const ANY_ACCOUNT_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Account ids named by the ARNs anywhere in a value (the plan's own values, not its configuration). */
function accountsIn(value: unknown, out: Set<string>, depth = 0): void {
  if (depth > 8) return;
  if (typeof value === 'string') {
    const match = IAM_ACCOUNT.exec(value) ?? ANY_ACCOUNT_ARN.exec(value);
    if (match) out.add(match[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) accountsIn(v, out, depth + 1);
  } else if (isObject(value)) {
    for (const v of Object.values(value)) accountsIn(v, out, depth + 1);
  }
}

export class AwsContext extends PlanValues<Touch> {
  readonly accounts = new Map<string, AccountDocs>();
  private readonly accountByConfigKey = new Map<string, string | undefined>();

  constructor(
    plan: Plan,
    bundles: RawBundle[],
    readonly snapshotAccounts: Set<string>,
  ) {
    super(plan);
    for (const bundle of bundles) this.accounts.set(bundle.scope.id, new AccountDocs(bundle));
  }

  /** When the account was read: what "now" is for a key, password or device the plan creates. */
  collectedAtOf(account: string): string {
    return this.accounts.get(account)?.bundle.collectedAt ?? new Date(0).toISOString();
  }

  /** The account a change lands in: its own ARNs, its provider block, the other resources of that provider block. */
  accountOf(change: PlanChange, requireRaw = true): string {
    const own = new Set<string>();
    accountsIn(change.before, own);
    accountsIn(change.after, own);
    own.delete('');
    const key = change.providerConfigKey ?? 'aws';
    const candidates = own.size === 1 ? [...own] : [];
    let account = candidates[0];
    if (!account) account = this.providerAccount(key);
    if (!account && this.snapshotAccounts.size === 1) account = [...this.snapshotAccounts][0];
    if (!account) {
      throw new UserError(`cannot tell which AWS account ${change.address} is for`, {
        where: this.plan.file,
        hint: `the snapshot covers several accounts (${[...this.snapshotAccounts].join(', ')}); set allowed_account_ids (or assume_role) in the provider "${key}" block, or read \`data "aws_caller_identity" "current" {}\` through it`,
      });
    }
    if (!this.snapshotAccounts.has(account)) {
      throw new UserError(
        `the plan changes AWS account ${account} (${change.address}), which the snapshot does not cover`,
        {
          where: this.plan.file,
          hint: `audit a snapshot that includes aws:account/${account}, or plan against an account the snapshot covers`,
        },
      );
    }
    if (requireRaw && !this.accounts.has(account)) {
      throw new UserError(`no raw documents of AWS account ${account}, which ${change.address} changes`, {
        where: '--raw',
        hint: `pass the account's raw documents: the folder \`cloudward collect aws --raw-out\` wrote, or the AWS CLI exports \`import aws\` read`,
      });
    }
    return account;
  }

  /** The account a change's own ARNs or provider block name, if any (no fallback, no check). */
  declaredAccount(change: PlanChange): string | undefined {
    const own = new Set<string>();
    accountsIn(change.before, own);
    accountsIn(change.after, own);
    return own.size === 1 ? [...own][0] : this.providerAccount(change.providerConfigKey ?? 'aws');
  }

  private providerAccount(key: string): string | undefined {
    if (this.accountByConfigKey.has(key)) return this.accountByConfigKey.get(key);
    const found = new Set<string>();
    const config = this.plan.providerConfigs.get(key);
    if (config) {
      const allowed = constantOf(config.expressions, 'allowed_account_ids');
      if (Array.isArray(allowed))
        for (const id of allowed) if (typeof id === 'string' && /^\d{12}$/.test(id)) found.add(id);
      const assume = config.expressions.assume_role;
      for (const block of Array.isArray(assume) ? assume : [assume]) {
        if (isObject(block)) accountsIn(constantOf(block, 'role_arn'), found);
      }
    }
    if (found.size === 0) {
      // Who the provider block signed in as: `data "aws_caller_identity"`, read while planning.
      for (const id of dataSourceValues(this.plan, 'aws_caller_identity', key, 'account_id'))
        if (/^\d{12}$/.test(id)) found.add(id);
    }
    if (found.size === 0) {
      // The account named by the ARNs of the resources this provider block manages: changed, or in the prior state.
      for (const change of this.plan.changes) {
        if ((change.providerConfigKey ?? 'aws') !== key || !change.type.startsWith('aws_')) continue;
        accountsIn(change.before, found);
        accountsIn(change.after, found);
      }
      for (const resource of this.plan.priorResources) {
        if ((resource.providerConfigKey ?? 'aws') === key && resource.type.startsWith('aws_'))
          accountsIn(resource.values, found);
      }
      found.delete('');
    }
    const account = found.size === 1 ? [...found][0] : undefined;
    this.accountByConfigKey.set(key, account);
    return account;
  }

  /** The region of a change's provider block, when the configuration gives it as a constant. */
  regionOf(change: PlanChange): string | undefined {
    const config = this.plan.providerConfigs.get(change.providerConfigKey ?? 'aws');
    const region = config ? constantOf(config.expressions, 'region') : undefined;
    return typeof region === 'string' ? region : undefined;
  }

  docs(account: string): AccountDocs {
    const docs = this.accounts.get(account)!;
    docs.touched = true;
    return docs;
  }

  /** A policy document attribute as JSON, or undefined after recording a gap. */
  document(change: PlanChange, attribute: string, scopes: string[]): unknown {
    const text = this.text(change, attribute, scopes);
    if (text === undefined) {
      if (!this.gaps.some((g) => g.address === change.address && g.attribute === attribute))
        this.gap(change, `${attribute} is empty`, attribute, scopes);
      return undefined;
    }
    try {
      const json = JSON.parse(text) as unknown;
      parsePolicyDocument(json);
      return json;
    } catch (error) {
      const why = error instanceof PolicyDocumentError ? error.message : 'not valid JSON';
      this.gap(change, `${attribute} is not an IAM policy document: ${why}`, attribute, scopes);
      return undefined;
    }
  }
}

export function scopeOf(account: string): string {
  return `aws:account/${account}`;
}
