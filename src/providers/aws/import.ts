/**
 * Import of AWS CLI exports: recognise each file by content, sort the files into accounts (by the ARNs they hold,
 * then by folder), tie keyed responses to their trail or policy, and note as gaps what the files do not cover.
 */
import { basename, dirname } from 'node:path';
import { UserError } from '../../errors.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { Gap } from '../../snapshot/model.js';
import { readInputText } from '../../util/files.js';
import type { ImportContext, RawBundle, RawDocument } from '../types.js';
import { credentialReportText, parentChain } from './account-view.js';
import { accountBundle } from './bundle.js';
import { CredentialReportError, reportDate } from './credential-report.js';
import {
  DocumentKind,
  GapTopic,
  managementAccountOf,
  OPERATIONS,
  type CollectionBody,
  type CredentialReportBody,
  type ErrorBody,
  type ParentsBody,
  type PolicySummary,
  type RegionsBody,
  type ScpTargetsBody,
  type Trail,
  type TrailsBody,
  type TrailStatusBody,
} from './documents.js';
import { recognizeDocument } from './recognize.js';
import type { AwsImportOptions } from './index.js';
import { fileKey } from './raw-files.js';

const ACCOUNT_IN_ARN = /arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/g;

/** Accounts named by the IAM/STS ARNs of a document (organization and trail ARNs can name another account). */
function accountsOf(document: RawDocument): Set<string> {
  const accounts = new Set<string>();
  let text: string;
  if (document.kind === DocumentKind.credentialReport)
    text = credentialReportText(document.body as CredentialReportBody, document.origin);
  else if (
    document.kind === DocumentKind.authorizationDetails ||
    document.kind === DocumentKind.virtualMfaDevices ||
    document.kind === DocumentKind.roles
  ) {
    const body = document.body as Record<string, unknown>;
    // Only the entities' own ARNs: trust policies name other accounts.
    const own = [
      ...((body.UserDetailList as unknown[]) ?? []),
      ...((body.GroupDetailList as unknown[]) ?? []),
      ...((body.RoleDetailList as unknown[]) ?? []),
      ...((body.Roles as unknown[]) ?? []),
    ].map((e) => (e as { Arn?: string }).Arn ?? '');
    const mfa = ((body.VirtualMFADevices as unknown[]) ?? []).map(
      (d) => (d as { SerialNumber?: string }).SerialNumber ?? '',
    );
    text = [...own, ...mfa].join('\n');
  } else if (document.kind === DocumentKind.error && (document.body as ErrorBody).Operation === 'AssumeRole')
    text = (document.body as ErrorBody).Target ?? '';
  else if (document.kind === DocumentKind.collection)
    return new Set([(document.body as CollectionBody).Cloudward.AccountId]);
  else return accounts;
  for (const match of text.matchAll(ACCOUNT_IN_ARN)) accounts.add(match[1]!);
  return accounts;
}

interface Loaded {
  document: RawDocument;
  file: string;
}

/** Sorts documents into accounts; documents without an account of their own go with their folder's account. */
function assignAccounts(loaded: Loaded[], override: string | undefined): Map<string, Loaded[]> {
  const byAccount = new Map<string, Loaded[]>();
  const add = (account: string, item: Loaded) => byAccount.set(account, [...(byAccount.get(account) ?? []), item]);
  const folderAccounts = new Map<string, Set<string>>();
  const owned = loaded.map((item) => ({ item, accounts: accountsOf(item.document) }));
  for (const { item, accounts } of owned) {
    if (accounts.size > 1) {
      throw new UserError(`the file holds ARNs of several accounts (${[...accounts].join(', ')})`, {
        where: item.file,
        hint: 'export each account separately',
      });
    }
    const [account] = accounts;
    if (account && override && account !== override) {
      throw new UserError(`--account ${override} was given but the file belongs to account ${account}`, {
        where: item.file,
        hint: "drop --account, or import only that account's files",
      });
    }
    if (account) {
      const folder = dirname(item.file);
      folderAccounts.set(folder, new Set([...(folderAccounts.get(folder) ?? []), account]));
    }
  }
  const all = new Set([...folderAccounts.values()].flatMap((s) => [...s]));
  for (const { item, accounts } of owned) {
    const [own] = accounts;
    const inFolder = folderAccounts.get(dirname(item.file));
    const account =
      override ??
      own ??
      (inFolder?.size === 1 ? [...inFolder][0] : undefined) ??
      (all.size === 1 ? [...all][0] : undefined);
    if (!account) {
      throw new UserError('cannot tell which AWS account this file belongs to', {
        where: item.file,
        hint:
          all.size > 1
            ? "put each account's files in a folder of its own (with its authorization details or credential report), or pass --account"
            : "pass --account 123456789012, or include the account's get-account-authorization-details or credential report",
      });
    }
    add(account, item);
  }
  return byAccount;
}

/** The key (trail, policy) a file name points at, among the known ones: the longest that the name contains. */
function keyFromFileName(file: string, candidates: Array<{ key: string; match: string }>): string | undefined {
  const name = basename(file);
  const hits = candidates
    .filter((c) => c.match.length > 0 && name.includes(c.match))
    .sort((a, b) => b.match.length - a.match.length);
  return hits[0]?.key;
}

/** A region name in a file name: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-northwest-1`, ... */
const REGION_IN_NAME =
  /(?:^|[._-])([a-z]{2}(?:-(?:gov|iso[a-z]?))?-(?:north|south|east|west|central)(?:east|west)?-\d+)(?=[._]|$)/;
const CHILD_IN_NAME = /(?:^|[._-])(\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})(?=[._]|$)/;

/** The region a file name carries (`cloudtrail-describe-trails.eu-west-1.json`), if any. */
function regionFromFileName(file: string): string | undefined {
  return REGION_IN_NAME.exec(basename(file))?.[1];
}

/**
 * Ties GetTrailStatus, ListTargetsForPolicy, ListParents and DescribeTrails responses (which do not name their
 * subject) to a trail, policy, child (account or OU) or region, from the file name where the body does not say.
 */
function tieKeyedDocuments(items: Loaded[], account: string): void {
  const trails = items
    .filter((i) => i.document.kind === DocumentKind.trails)
    .flatMap((i) => (i.document.body as { trailList?: Trail[] }).trailList ?? []);
  const trailCandidates = trails.map((t) => ({
    key: String(t.TrailARN ?? t.Name ?? ''),
    match: fileKey(String(t.TrailARN ?? t.Name ?? '')),
  }));
  const policies = items.flatMap((i) => {
    if (i.document.kind === DocumentKind.scpList)
      return ((i.document.body as { Policies?: PolicySummary[] }).Policies ?? []).map((p) => p.Id ?? '');
    if (i.document.kind === DocumentKind.scpDetail)
      return [(i.document.body as { Policy?: { PolicySummary?: PolicySummary } }).Policy?.PolicySummary?.Id ?? ''];
    return [];
  });
  const policyCandidates = [...new Set(policies.filter(Boolean))].map((id) => ({ key: id, match: id }));
  const parents = items.filter((i) => i.document.kind === DocumentKind.parents);
  for (const item of items) {
    const body = item.document.body as Record<string, unknown>;
    if (item.document.kind === DocumentKind.parents && body.ChildId === undefined) {
      const key = CHILD_IN_NAME.exec(basename(item.file))?.[1] ?? (parents.length === 1 ? account : undefined);
      if (!key)
        throw new UserError('a list-parents export does not say which account or OU it is the parent of', {
          where: item.file,
          hint: 'name the file after the child id, e.g. organizations-list-parents.<account-id>.json or organizations-list-parents.<ou-id>.json',
        });
      item.document.body = { ChildId: key, ...body } satisfies ParentsBody;
    }
    if (item.document.kind === DocumentKind.trails && body.Region === undefined) {
      const region = regionFromFileName(item.file);
      if (region) item.document.body = { Region: region, ...body } satisfies TrailsBody;
    }
    if (item.document.kind === DocumentKind.trailStatus && body.Name === undefined) {
      const key =
        keyFromFileName(item.file, trailCandidates) ??
        (trailCandidates.length === 1 ? trailCandidates[0]!.key : undefined);
      if (!key)
        throw new UserError('a get-trail-status export does not say which trail it describes', {
          where: item.file,
          hint: 'name the file after the trail, e.g. cloudtrail-get-trail-status.<trail-name>.json, and import it with the describe-trails export',
        });
      item.document.body = { Name: key, ...body } satisfies TrailStatusBody;
    }
    if (item.document.kind === DocumentKind.scpTargets && body.PolicyId === undefined) {
      const key =
        keyFromFileName(item.file, policyCandidates) ??
        (policyCandidates.length === 1 ? policyCandidates[0]!.key : undefined);
      if (!key)
        throw new UserError('a list-targets-for-policy export does not say which policy it lists', {
          where: item.file,
          hint: 'name the file after the policy id, e.g. organizations-list-targets-for-policy.p-abcd1234.json, and import it with list-policies',
        });
      item.document.body = { PolicyId: key, ...body } satisfies ScpTargetsBody;
    }
    if (item.document.kind === DocumentKind.error) {
      const error = body as unknown as ErrorBody;
      if (error.Target === undefined && /^(GetTrailStatus|GetEventSelectors)$/.test(error.Operation)) {
        const key = keyFromFileName(item.file, trailCandidates);
        if (key) error.Target = key;
      }
      if (error.Target === undefined && /^(DescribePolicy|ListTargetsForPolicy)$/.test(error.Operation)) {
        const key = keyFromFileName(item.file, policyCandidates);
        if (key) error.Target = key;
      }
      if (error.Target === undefined && error.Operation === 'ListParents')
        error.Target = CHILD_IN_NAME.exec(basename(item.file))?.[1] ?? account;
      if (error.Target === undefined && error.Operation === 'DescribeTrails') {
        const region = regionFromFileName(item.file);
        if (region) error.Target = region;
      }
    }
  }
}

const EXPORT_COMMANDS: Record<string, string> = {
  [GapTopic.authorizationDetails]: 'aws iam get-account-authorization-details',
  [GapTopic.credentialReport]: 'aws iam get-credential-report',
  [GapTopic.accountSummary]: 'aws iam get-account-summary',
  [GapTopic.virtualMfa]: 'aws iam list-virtual-mfa-devices',
  [GapTopic.passwordPolicy]: 'aws iam get-account-password-policy',
  [GapTopic.roleSettings]: 'aws iam list-roles',
  [GapTopic.scp]: 'aws organizations list-policies --filter SERVICE_CONTROL_POLICY',
  [GapTopic.cloudtrail]: 'aws cloudtrail describe-trails',
  [GapTopic.cloudtrailRegions]: 'aws account list-regions --region-opt-status-contains ENABLED ENABLED_BY_DEFAULT',
};

/** Gaps for what the imported files do not cover at all (a topic with neither a document nor an error). */
function missingTopicGaps(documents: RawDocument[], account: string): Gap[] {
  const covered = new Set<string>();
  for (const d of documents) {
    const operation =
      d.kind === DocumentKind.error
        ? OPERATIONS[(d.body as ErrorBody).Operation]
        : Object.values(OPERATIONS).find((o) => o.kind === d.kind);
    if (operation) covered.add(operation.topic);
    if (d.kind === DocumentKind.error && (d.body as ErrorBody).Operation === 'AssumeRole') return [];
  }
  const gaps: Gap[] = [];
  for (const [topic, command] of Object.entries(EXPORT_COMMANDS)) {
    if (!covered.has(topic))
      gaps.push({ what: topic, reason: `not among the imported files (export it with \`${command}\`)` });
  }
  // `--no-paginate` or `--max-items` exports carry IsTruncated: true on every page but the last.
  const pages = documents
    .filter((d) => d.kind === DocumentKind.authorizationDetails)
    .map((d) => d.body as { IsTruncated?: boolean });
  if (pages.length > 0 && pages.every((p) => p.IsTruncated === true)) {
    gaps.push({
      what: GapTopic.authorizationDetails,
      reason:
        'the get-account-authorization-details export is truncated (IsTruncated: true and no last page); export it again without --max-items or --no-paginate',
    });
  }
  // Each trail needs its status and event selectors; each SCP its content and targets.
  const trails = documents
    .filter((d) => d.kind === DocumentKind.trails)
    .flatMap((d) => (d.body as { trailList?: Trail[] }).trailList ?? []);
  const has = (kind: string, test: (body: Record<string, unknown>) => boolean) =>
    documents.some(
      (d) => (d.kind === kind || d.kind === DocumentKind.error) && test(d.body as Record<string, unknown>),
    );
  for (const trail of trails) {
    const ids = [trail.TrailARN, trail.Name];
    const about = (b: Record<string, unknown>) =>
      ids.includes(b.Name as string) || ids.includes(b.TrailARN as string) || ids.includes(b.Target as string);
    if (!has(DocumentKind.trailStatus, about) || !has(DocumentKind.eventSelectors, about)) {
      gaps.push({
        what: GapTopic.cloudtrailStatus,
        reason: `status or event selectors of trail ${trail.Name ?? trail.TrailARN ?? ''} not among the imported files (aws cloudtrail get-trail-status / get-event-selectors)`,
      });
    }
  }
  gaps.push(...regionGaps(documents), ...pathGaps(documents, account));
  const scps = documents
    .filter((d) => d.kind === DocumentKind.scpList)
    .flatMap((d) => (d.body as { Policies?: PolicySummary[] }).Policies ?? []);
  for (const scp of scps) {
    const about = (b: Record<string, unknown>) =>
      b.PolicyId === scp.Id ||
      b.Target === scp.Id ||
      (b.Policy as { PolicySummary?: PolicySummary } | undefined)?.PolicySummary?.Id === scp.Id;
    if (!has(DocumentKind.scpDetail, about) || !has(DocumentKind.scpTargets, about)) {
      gaps.push({
        what: GapTopic.scp,
        reason: `content or targets of SCP ${scp.Id ?? ''} not among the imported files (aws organizations describe-policy / list-targets-for-policy)`,
      });
    }
  }
  return gaps;
}

/** Each enabled region needs its describe-trails export (named after the region), or the error the CLI printed there. */
function regionGaps(documents: RawDocument[]): Gap[] {
  const list = documents.filter((d) => d.kind === DocumentKind.regions);
  if (list.length === 0) return [];
  const enabled = new Set(
    list.flatMap((d) => ((d.body as RegionsBody).Regions ?? []).map((r) => r.RegionName ?? '')).filter(Boolean),
  );
  for (const d of documents) {
    if (d.kind === DocumentKind.trails) enabled.delete((d.body as TrailsBody).Region ?? '');
    if (d.kind === DocumentKind.error && (d.body as ErrorBody).Operation === 'DescribeTrails')
      enabled.delete((d.body as ErrorBody).Target ?? '');
  }
  if (enabled.size === 0) return [];
  const missing = [...enabled].sort();
  return [
    {
      what: GapTopic.cloudtrailRegions,
      reason: `trails of enabled region(s) ${missing.join(', ')} not among the imported files (aws cloudtrail describe-trails --region R > cloudtrail-describe-trails.R.json)`,
    },
  ];
}

/** A member account's OU path up to the root (aws organizations list-parents, per level), when its SCPs were exported. */
function pathGaps(documents: RawDocument[], account: string): Gap[] {
  const scpBodies = documents
    .filter(
      (d) => d.kind === DocumentKind.scpList || d.kind === DocumentKind.scpTargets || d.kind === DocumentKind.scpDetail,
    )
    .map((d) => d.body);
  if (!documents.some((d) => d.kind === DocumentKind.scpList) || managementAccountOf(scpBodies) === account) return [];
  const path = parentChain(
    documents.filter((d) => d.kind === DocumentKind.parents).map((d) => d.body as ParentsBody),
    account,
  );
  if (path.complete) return [];
  const failed = documents.some(
    (d) =>
      d.kind === DocumentKind.error &&
      (d.body as ErrorBody).Operation === 'ListParents' &&
      (d.body as ErrorBody).Target === path.missing,
  );
  if (failed) return [];
  return [
    {
      what: GapTopic.scp,
      reason: `the OU path of account ${account} is not among the imported files from ${path.missing ?? account} up (aws organizations list-parents --child-id ${path.missing ?? account} > organizations-list-parents.${path.missing ?? account}.json, for the account and each OU up to the root)`,
    },
  ];
}

function collectedAtOf(documents: RawDocument[], option: unknown, account: string): string {
  if (typeof option === 'string') {
    if (Number.isNaN(Date.parse(option)) || !/^\d{4}-\d{2}-\d{2}T/.test(option)) {
      throw new UserError(`--collected-at must be an ISO 8601 date-time, not "${option}"`, {
        where: '--collected-at',
        hint: 'e.g. --collected-at 2026-11-01T09:00:00Z',
      });
    }
    return isoSeconds(option);
  }
  // The live run's own time, when --raw-out left its note: the import then equals the live snapshot exactly.
  const note = documents.find((d) => d.kind === DocumentKind.collection);
  if (note) return isoSeconds((note.body as CollectionBody).Cloudward.CollectedAt);
  const report = documents.find((d) => d.kind === DocumentKind.credentialReport);
  let generated: string | null = null;
  try {
    generated = report ? reportDate((report.body as CredentialReportBody).GeneratedTime) : null;
  } catch (error) {
    if (!(error instanceof CredentialReportError)) throw error;
    throw new UserError(`credential report: GeneratedTime ${error.message}`, {
      where: report!.origin,
      hint: 'pass the report as `aws iam get-credential-report` prints it, or give --collected-at',
    });
  }
  if (generated) return generated;
  throw new UserError(`cannot tell when account ${account}'s files were exported`, {
    hint: 'pass --collected-at 2026-11-01T09:00:00Z, or include the `aws iam get-credential-report` JSON (its GeneratedTime dates the export)',
  });
}

/** Reads AWS CLI exports into one bundle per account. */
export async function importAwsFiles(paths: string[], context: ImportContext<AwsImportOptions>): Promise<RawBundle[]> {
  if (paths.length === 0)
    throw new UserError('no AWS export files given', {
      hint: 'pass the files, e.g. `cloudward import aws raw/aws/123456789012/*`',
    });
  const override = context.options.account;
  if (override !== undefined && !/^\d{12}$/.test(override))
    throw new UserError(`--account must be a 12-digit AWS account id, not "${override}"`, { where: '--account' });
  const loaded: Loaded[] = [];
  for (const file of paths)
    loaded.push({ file, document: recognizeDocument(await readInputText(file, 'AWS export'), file) });
  return importAwsDocuments(loaded, context);
}

/** Builds one bundle per account from recognised documents (what `importAwsFiles` read, or a caller's own selection). */
export function importAwsDocuments(loaded: Loaded[], context: ImportContext<AwsImportOptions>): RawBundle[] {
  const override = context.options.account;
  const bundles: RawBundle[] = [];
  for (const [account, items] of [...assignAccounts(loaded, override)].sort(([a], [b]) => a.localeCompare(b))) {
    const singles = new Map<string, string>();
    for (const item of items) {
      if (
        ![
          DocumentKind.credentialReport,
          DocumentKind.accountSummary,
          DocumentKind.passwordPolicy,
          DocumentKind.collection,
        ].includes(item.document.kind as never)
      )
        continue;
      const earlier = singles.get(item.document.kind);
      if (earlier)
        throw new UserError(
          `account ${account} has two ${item.document.kind.split('.').at(-1)} exports (also ${earlier})`,
          { where: item.file, hint: 'import one export per account' },
        );
      singles.set(item.document.kind, item.file);
    }
    tieKeyedDocuments(items, account);
    const all = items.map((i) => i.document);
    const documents = all.filter((d) => d.kind !== DocumentKind.collection);
    const collectedAt = collectedAtOf(all, context.collectedAt, account);
    bundles.push(accountBundle(account, 'import', collectedAt, documents, missingTopicGaps(documents, account)));
    context.progress.status(`aws: account ${account}: ${items.length} file(s) imported`);
  }
  return bundles;
}
