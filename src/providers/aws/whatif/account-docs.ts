/**
 * One account's raw documents opened for editing: the authorization details merged into one page, the credential
 * report as CSV rows, the virtual MFA devices, the SCPs and the trails. Lists are copied and entities are copied when
 * first changed, so the bundle the snapshot was made from is never modified; `toBundle` writes the documents back in
 * the shapes the AWS CLI prints.
 */
import { parse } from 'csv-parse/sync';
import type { RawBundle, RawDocument } from '../../types.js';
import { CREDENTIAL_REPORT_COLUMNS, ROOT_USER_ROW } from '../credential-report.js';
import {
  DocumentKind,
  type AuthorizationDetails,
  type CredentialReportBody,
  type EventSelectorsBody,
  type GroupDetail,
  type ManagedPolicyDetail,
  type PolicySummary,
  type RoleDetail,
  type ScpDetailBody,
  type ScpListBody,
  type ScpTargetsBody,
  type Trail,
  type TrailStatusBody,
  type TrailsBody,
  type UserDetail,
  type VirtualMfaBody,
} from '../documents.js';

type Column = (typeof CREDENTIAL_REPORT_COLUMNS)[number];
type MfaDevice = NonNullable<VirtualMfaBody['VirtualMFADevices']>[number];

/** A keyed list whose items are copied on first write. */
export class EntityList<T extends object> {
  private readonly items: Array<T | undefined>;
  private readonly index = new Map<string, number>();
  private readonly copied = new Set<number>();

  constructor(
    items: T[],
    private readonly key: (item: T) => string | undefined,
  ) {
    this.items = [...items];
    this.items.forEach((item, i) => {
      const k = item ? key(item) : undefined;
      if (k !== undefined && !this.index.has(k)) this.index.set(k, i);
    });
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** The item, copied once so that edits do not reach the original document. */
  edit(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    if (!this.copied.has(i)) {
      this.items[i] = structuredClone(this.items[i]!);
      this.copied.add(i);
    }
    return this.items[i];
  }

  put(item: T): void {
    const k = this.key(item);
    const i = k === undefined ? undefined : this.index.get(k);
    if (i === undefined) {
      this.items.push(item);
      if (k !== undefined) this.index.set(k, this.items.length - 1);
      this.copied.add(this.items.length - 1);
    } else {
      this.items[i] = item;
      this.copied.add(i);
    }
  }

  remove(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i];
    this.items[i] = undefined;
    this.index.delete(key);
    return item;
  }

  /** Renames an item's key after its key field was edited. */
  rekey(oldKey: string, newKey: string): void {
    const i = this.index.get(oldKey);
    if (i === undefined) return;
    this.index.delete(oldKey);
    this.index.set(newKey, i);
  }

  values(): T[] {
    return this.items.filter((i): i is T => i !== undefined);
  }

  /** Every item (copied before the callback edits it). */
  editAll(callback: (item: T) => void): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.items[i] === undefined) continue;
      if (!this.copied.has(i)) {
        this.items[i] = structuredClone(this.items[i]!);
        this.copied.add(i);
      }
      callback(this.items[i]!);
    }
  }
}

/** The credential report as rows of cells, keyed by ARN; written back as base64 CSV. */
export class CredentialReport {
  private readonly rows: EntityList<string[]>;

  constructor(
    private readonly header: string[],
    rows: string[][],
    private readonly body: CredentialReportBody,
  ) {
    this.rows = new EntityList(rows, (row) => row[CREDENTIAL_REPORT_COLUMNS.indexOf('arn')]);
  }

  static parse(body: CredentialReportBody): CredentialReport | undefined {
    if (typeof body.Content !== 'string') return undefined;
    const text = Buffer.from(body.Content, 'base64').toString('utf8');
    // A report without quotes has no quoted commas or line breaks: plain splitting reads it exactly, and fast.
    const records = text.includes('"')
      ? (parse(text, { skip_empty_lines: true, trim: true }) as string[][])
      : text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => line.split(',').map((cell) => cell.trim()));
    if (records.length === 0) return undefined;
    return new CredentialReport(records[0]!, records.slice(1), body);
  }

  has(arn: string): boolean {
    return this.rows.has(arn);
  }

  get(arn: string, column: Column): string | undefined {
    return this.rows.get(arn)?.[CREDENTIAL_REPORT_COLUMNS.indexOf(column)];
  }

  set(arn: string, values: Partial<Record<Column, string>>): boolean {
    const row = this.rows.edit(arn);
    if (!row) return false;
    for (const [column, value] of Object.entries(values))
      row[CREDENTIAL_REPORT_COLUMNS.indexOf(column as Column)] = value;
    return true;
  }

  /** A row for a user created at `createdAt`: no password, no MFA, no keys (what the next report would say). */
  addUser(name: string, arn: string, createdAt: string): void {
    const row: string[] = this.header.map(() => 'N/A');
    const set = (column: Column, value: string) => (row[CREDENTIAL_REPORT_COLUMNS.indexOf(column)] = value);
    set('user', name);
    set('arn', arn);
    set('user_creation_time', createdAt);
    for (const column of [
      'password_enabled',
      'mfa_active',
      'access_key_1_active',
      'access_key_2_active',
      'cert_1_active',
      'cert_2_active',
    ] as const)
      set(column, 'false');
    this.rows.put(row);
  }

  rename(oldArn: string, name: string, arn: string): void {
    if (!this.set(oldArn, { user: name, arn })) return;
    this.rows.rekey(oldArn, arn);
  }

  remove(arn: string): void {
    if (this.get(arn, 'user') !== ROOT_USER_ROW) this.rows.remove(arn);
  }

  toBody(): CredentialReportBody {
    const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    const text = [this.header, ...this.rows.values()].map((row) => row.map(quote).join(',')).join('\n');
    return { ...this.body, Content: Buffer.from(`${text}\n`, 'utf8').toString('base64') };
  }
}

export interface ScpState {
  list: EntityList<PolicySummary>;
  content: Map<string, string>;
  targets: Map<string, NonNullable<ScpTargetsBody['Targets']>>;
}

export interface TrailState {
  list: EntityList<Trail>;
  status: Map<string, TrailStatusBody>;
  selectors: Map<string, EventSelectorsBody>;
}

const REPLACED_KINDS = new Set<string>([
  DocumentKind.authorizationDetails,
  DocumentKind.credentialReport,
  DocumentKind.virtualMfaDevices,
  DocumentKind.scpList,
  DocumentKind.scpDetail,
  DocumentKind.scpTargets,
  DocumentKind.trails,
  DocumentKind.trailStatus,
  DocumentKind.eventSelectors,
]);

/** An account's documents open for editing. Parts the bundle does not hold stay undefined (their gaps remain). */
export class AccountDocs {
  readonly accountId: string;
  readonly partition: string;
  users?: EntityList<UserDetail>;
  groups?: EntityList<GroupDetail>;
  roles?: EntityList<RoleDetail>;
  policies?: EntityList<ManagedPolicyDetail>;
  report?: CredentialReport;
  mfaDevices?: EntityList<MfaDevice>;
  scps?: ScpState;
  trails?: TrailState;
  /** Whether any change was applied (untouched accounts keep their original bundle). */
  touched = false;

  constructor(readonly bundle: RawBundle) {
    this.accountId = bundle.scope.id;
    const of = <T>(kind: string) => bundle.documents.filter((d) => d.kind === kind).map((d) => d.body as T);
    const details = of<AuthorizationDetails>(DocumentKind.authorizationDetails);
    if (details.length > 0) {
      const all = <T>(pick: (d: AuthorizationDetails) => T[] | undefined) => details.flatMap((d) => pick(d) ?? []);
      this.users = new EntityList(
        all((d) => d.UserDetailList),
        (u) => u.UserName,
      );
      this.groups = new EntityList(
        all((d) => d.GroupDetailList),
        (g) => g.GroupName,
      );
      this.roles = new EntityList(
        all((d) => d.RoleDetailList),
        (r) => r.RoleName,
      );
      this.policies = new EntityList(
        all((d) => d.Policies),
        (p) => p.Arn,
      );
    }
    const arn = [...(this.users?.values() ?? []), ...(this.roles?.values() ?? [])]
      .map((e) => e.Arn)
      .find((a) => typeof a === 'string');
    this.partition = (arn && /^arn:([^:]+):/.exec(arn)?.[1]) || 'aws';
    const report = of<CredentialReportBody>(DocumentKind.credentialReport)[0];
    if (report) this.report = CredentialReport.parse(report);
    const mfa = of<VirtualMfaBody>(DocumentKind.virtualMfaDevices);
    if (mfa.length > 0)
      this.mfaDevices = new EntityList(
        mfa.flatMap((d) => d.VirtualMFADevices ?? []),
        (d) => d.SerialNumber,
      );
    const scpList = of<ScpListBody>(DocumentKind.scpList);
    if (scpList.length > 0) {
      const content = new Map<string, string>();
      for (const d of of<ScpDetailBody>(DocumentKind.scpDetail)) {
        const id = d.Policy?.PolicySummary?.Id;
        if (id && typeof d.Policy?.Content === 'string') content.set(id, d.Policy.Content);
      }
      const targets = new Map<string, NonNullable<ScpTargetsBody['Targets']>>();
      for (const t of of<ScpTargetsBody>(DocumentKind.scpTargets))
        if (t.PolicyId) targets.set(t.PolicyId, [...(targets.get(t.PolicyId) ?? []), ...(t.Targets ?? [])]);
      this.scps = {
        list: new EntityList(
          scpList.flatMap((d) => d.Policies ?? []),
          (p) => p.Id,
        ),
        content,
        targets,
      };
    }
    const trails = of<TrailsBody>(DocumentKind.trails);
    if (trails.length > 0) {
      const status = new Map<string, TrailStatusBody>();
      for (const s of of<TrailStatusBody>(DocumentKind.trailStatus)) if (s.Name) status.set(s.Name, s);
      const selectors = new Map<string, EventSelectorsBody>();
      for (const s of of<EventSelectorsBody>(DocumentKind.eventSelectors)) if (s.TrailARN) selectors.set(s.TrailARN, s);
      this.trails = {
        list: new EntityList(
          trails.flatMap((d) => d.trailList ?? []),
          (t) => t.TrailARN ?? t.Name,
        ),
        status,
        selectors,
      };
    }
  }

  /** Whether the account is in an organization whose SCPs were read. */
  get inOrganization(): boolean {
    return this.scps !== undefined;
  }

  /** The bundle with the edited documents in place of the originals (the untouched bundle when nothing changed). */
  toBundle(): RawBundle {
    if (!this.touched) return this.bundle;
    const kept = this.bundle.documents.filter((d) => !REPLACED_KINDS.has(d.kind));
    const documents: RawDocument[] = [...kept];
    const origin = (kind: string) =>
      this.bundle.documents.find((d) => d.kind === kind)?.origin ?? 'cloudward:projected';
    const add = (kind: string, body: unknown) => documents.push({ kind, origin: origin(kind), body });
    if (this.users) {
      const body: AuthorizationDetails = {
        UserDetailList: this.users.values(),
        GroupDetailList: this.groups!.values(),
        RoleDetailList: this.roles!.values(),
        Policies: this.policies!.values(),
        IsTruncated: false,
      };
      add(DocumentKind.authorizationDetails, body);
    }
    if (this.report) add(DocumentKind.credentialReport, this.report.toBody());
    if (this.mfaDevices)
      add(DocumentKind.virtualMfaDevices, { VirtualMFADevices: this.mfaDevices.values() } satisfies VirtualMfaBody);
    if (this.scps) {
      const list = this.scps.list.values();
      add(DocumentKind.scpList, { Policies: list } satisfies ScpListBody);
      for (const summary of list) {
        const id = summary.Id ?? '';
        const content = this.scps.content.get(id);
        if (content !== undefined)
          add(DocumentKind.scpDetail, { Policy: { PolicySummary: summary, Content: content } } satisfies ScpDetailBody);
        const targets = this.scps.targets.get(id);
        if (targets) add(DocumentKind.scpTargets, { PolicyId: id, Targets: targets } satisfies ScpTargetsBody);
      }
    }
    if (this.trails) {
      add(DocumentKind.trails, { trailList: this.trails.list.values() } satisfies TrailsBody);
      for (const status of this.trails.status.values()) add(DocumentKind.trailStatus, status);
      for (const selectors of this.trails.selectors.values()) add(DocumentKind.eventSelectors, selectors);
    }
    return { ...this.bundle, documents };
  }
}
