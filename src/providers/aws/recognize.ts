/**
 * Recognises an AWS CLI export by its content (never its file name): JSON documents by their top-level keys, the
 * credential report by its CSV header, errors by the line the CLI prints. Bad content is a UserError naming the file.
 */
import { UserError } from '../../errors.js';
import { parseJsonText } from '../../util/json.js';
import type { RawDocument } from '../types.js';
import {
  CredentialReportError,
  looksLikeCredentialReport,
  parseCredentialReport,
  type CredentialReportRow,
} from './credential-report.js';
import { credentialReportText, rememberReportRows } from './account-view.js';
import { shapeChecker } from '../cloud/shape.js';
import {
  DocumentKind,
  parseCliErrorLine,
  SHAPES,
  type CredentialReportBody,
  type DocumentKindValue,
} from './documents.js';

const EXPORT_HINT =
  'pass files written by the AWS CLI (`aws iam get-account-authorization-details > file.json`, ...) or by `cloudward collect aws --raw-out`; see docs/providers/aws.md';

/** Which top-level key identifies which document; the first match wins (GAAD before ListPolicies: both have Policies). */
const SIGNATURES: Array<{ kind: DocumentKindValue; keys: string[]; lists?: string[] }> = [
  { kind: DocumentKind.collection, keys: ['Cloudward'] },
  {
    kind: DocumentKind.authorizationDetails,
    keys: ['UserDetailList', 'GroupDetailList', 'RoleDetailList'],
    lists: ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'],
  },
  { kind: DocumentKind.credentialReport, keys: ['Content'] },
  { kind: DocumentKind.accountSummary, keys: ['SummaryMap'] },
  { kind: DocumentKind.virtualMfaDevices, keys: ['VirtualMFADevices'], lists: ['VirtualMFADevices'] },
  { kind: DocumentKind.passwordPolicy, keys: ['PasswordPolicy'] },
  { kind: DocumentKind.roles, keys: ['Roles'], lists: ['Roles'] },
  { kind: DocumentKind.scpList, keys: ['Policies'], lists: ['Policies'] },
  { kind: DocumentKind.scpDetail, keys: ['Policy'] },
  { kind: DocumentKind.scpTargets, keys: ['Targets'], lists: ['Targets'] },
  { kind: DocumentKind.parents, keys: ['Parents'], lists: ['Parents'] },
  { kind: DocumentKind.regions, keys: ['Regions'], lists: ['Regions'] },
  { kind: DocumentKind.trails, keys: ['trailList'], lists: ['trailList'] },
  { kind: DocumentKind.trailStatus, keys: ['IsLogging'] },
  { kind: DocumentKind.eventSelectors, keys: ['EventSelectors', 'AdvancedEventSelectors'] },
];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The lists inside an authorization-details entity (user, group, role, managed policy). */
const ENTITY_LISTS = [
  'AttachedManagedPolicies',
  'UserPolicyList',
  'GroupPolicyList',
  'RolePolicyList',
  'InstanceProfileList',
  'PolicyVersionList',
];

/**
 * Lists inside each entity must be lists of objects. One object where a list belongs (as the AWS CLI's own example of
 * get-account-authorization-details writes `AttachedManagedPolicies`) is read as a list of that one item, never
 * passed on to be lost; anything else is refused with its JSON pointer.
 */
function checkEntityLists(body: Record<string, unknown>, lists: string[], file: string): void {
  for (const list of lists) {
    for (const [i, entity] of ((body[list] as Array<Record<string, unknown>> | undefined) ?? []).entries()) {
      for (const field of ENTITY_LISTS) {
        const value = entity[field];
        if (value === undefined || Array.isArray(value)) continue;
        if (!isObject(value))
          throw new UserError(`"${field}" must be a list`, {
            where: `${file}#/${list}/${i}/${field}`,
            hint: EXPORT_HINT,
          });
        entity[field] = [value];
      }
    }
  }
}

const checkTypes = shapeChecker(SHAPES, EXPORT_HINT);

function checkShape(kind: DocumentKindValue, body: Record<string, unknown>, lists: string[], file: string): void {
  for (const list of lists) {
    const value = body[list];
    if (value === undefined) continue;
    if (!Array.isArray(value))
      throw new UserError(`"${list}" must be a list`, { where: `${file}#/${list}`, hint: EXPORT_HINT });
    const bad = value.findIndex((item) => !isObject(item));
    if (bad !== -1)
      throw new UserError(`"${list}" item ${bad} is not an object`, {
        where: `${file}#/${list}/${bad}`,
        hint: EXPORT_HINT,
      });
  }
  if (kind === DocumentKind.authorizationDetails) checkEntityLists(body, lists, file);
  checkTypes(kind, body, file);
  const field = (name: string, test: (v: unknown) => boolean, expected: string) => {
    if (body[name] !== undefined && !test(body[name]))
      throw new UserError(`"${name}" must be ${expected}`, { where: `${file}#/${name}`, hint: EXPORT_HINT });
  };
  if (kind === DocumentKind.accountSummary) {
    field(
      'SummaryMap',
      (v) => isObject(v) && Object.values(v).every((n) => typeof n === 'number'),
      'an object of numbers',
    );
  }
  if (kind === DocumentKind.passwordPolicy) field('PasswordPolicy', isObject, 'an object');
  if (kind === DocumentKind.collection) {
    field(
      'Cloudward',
      (v) =>
        isObject(v) &&
        v.Provider === 'aws' &&
        typeof v.AccountId === 'string' &&
        /^\d{12}$/.test(v.AccountId) &&
        typeof v.CollectedAt === 'string' &&
        !Number.isNaN(Date.parse(v.CollectedAt)),
      'an object with Provider "aws", a 12-digit AccountId and a CollectedAt date-time',
    );
  }
  if (kind === DocumentKind.trailStatus) field('IsLogging', (v) => typeof v === 'boolean', 'true or false');
  if (kind === DocumentKind.scpDetail)
    field('Policy', (v) => isObject(v) && isObject(v.PolicySummary), 'an object with a PolicySummary');
  if (kind === DocumentKind.credentialReport) {
    field('Content', (v) => typeof v === 'string' && /^[A-Za-z0-9+/=\s]*$/.test(v), 'base64 text');
    rememberReportRows(
      body as CredentialReportBody,
      validateReport(credentialReportText(body as CredentialReportBody, file), file),
    );
  }
}

function validateReport(csv: string, file: string): CredentialReportRow[] {
  try {
    return parseCredentialReport(csv);
  } catch (error) {
    if (error instanceof CredentialReportError)
      throw new UserError(`credential report: ${error.message}`, {
        where: file,
        hint: 'export it again with `aws iam get-credential-report` (the Content field, or its base64-decoded CSV)',
      });
    throw error;
  }
}

/** Recognises one file's text; throws a UserError naming the file when it is not an AWS export cloudward reads. */
export function recognizeDocument(text: string, file: string): RawDocument {
  const trimmed = text.trimStart();
  const error = parseCliErrorLine(trimmed);
  if (error) return { kind: DocumentKind.error, origin: file, body: error };
  if (looksLikeCredentialReport(trimmed)) {
    const rows = validateReport(trimmed, file);
    const body: CredentialReportBody = {
      Content: Buffer.from(trimmed, 'utf8').toString('base64'),
      ReportFormat: 'text/csv',
    };
    rememberReportRows(body, rows);
    return { kind: DocumentKind.credentialReport, origin: file, body };
  }
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    const first = trimmed.split(/\r?\n/, 1)[0] ?? '';
    if (first.includes(',')) {
      throw new UserError(`CSV header "${first.slice(0, 60)}" is not the IAM credential report's`, {
        where: `${file}:1`,
        hint: 'the report starts "user,arn,user_creation_time,password_enabled,..."; export it with `aws iam get-credential-report`',
      });
    }
    throw new UserError('not an AWS export: neither JSON, a credential report CSV nor an AWS CLI error line', {
      where: file,
      hint: EXPORT_HINT,
    });
  }
  const value = parseJsonText(text, file, 'AWS export JSON');
  if (!isObject(value))
    throw new UserError('not an AWS export: the top level must be a JSON object', { where: file, hint: EXPORT_HINT });
  const signature = SIGNATURES.find((s) => s.keys.some((k) => k in value));
  if (!signature) {
    const keys = Object.keys(value).slice(0, 5).join(', ') || 'none';
    throw new UserError(`unrecognised AWS document (top-level keys: ${keys})`, { where: file, hint: EXPORT_HINT });
  }
  checkShape(signature.kind, value, signature.lists ?? [], file);
  return { kind: signature.kind, origin: file, body: value };
}
