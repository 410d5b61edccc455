import type {
  AppLockerCollection,
  AppLockerCollectionType,
  AppLockerRule,
  Enforcement,
  Gap,
  Host,
  Source,
  SnapshotPart,
  WdacState,
} from '../../snapshot/model.js';
import { ItemLedger } from '../cloud/ledger.js';
import { hostsPart, unreadCredentialsGap } from '../hosts/part.js';
import type { RawBundle, RawDocument } from '../types.js';
import { parseAppLockerXml, type RawAppLockerPolicy } from './applocker-xml.js';
import { effectiveExecutionPolicy } from './execution-policy.js';
import {
  COLLECTION_EXTENSIONS,
  isBroadPrincipal,
  openUserWritableLocations,
  sidName,
  userWritableLocations,
} from './user-writable.js';

/** Raw document kinds and the gap topic each one feeds. */
export const WINDOWS_DOCUMENTS = {
  'windows.host-info': 'windows.host-info',
  'windows.applocker-xml': 'windows.applocker',
  'windows.appidsvc': 'windows.applocker',
  'windows.execution-policy': 'windows.execution-policy',
  'windows.language-mode': 'windows.language-mode',
  'windows.device-guard': 'windows.wdac',
  'windows.mp-preference': 'windows.defender',
  'windows.local-admins': 'windows.local-admins',
  'windows.cloud-tools': 'windows.cloud-tools',
  'windows.cloud-credentials': 'windows.cloud-credentials',
} as const;

export type WindowsDocumentKind = keyof typeof WINDOWS_DOCUMENTS;

/** Topics whose absence makes checks unknown; host-info and the AppID service are optional refinements. */
const REQUIRED_KINDS: WindowsDocumentKind[] = [
  'windows.applocker-xml',
  'windows.execution-policy',
  'windows.language-mode',
  'windows.device-guard',
  'windows.mp-preference',
  'windows.local-admins',
  'windows.cloud-tools',
  'windows.cloud-credentials',
];

const COLLECTION_TYPES: AppLockerCollectionType[] = ['Exe', 'Script', 'Msi', 'Dll', 'Appx'];

/** Names of the attack surface reduction rules that matter here (GUIDs from Microsoft's ASR reference). */
const ASR_RULE_NAMES: Record<string, string> = {
  '5beb7efe-fd9a-4556-801d-275e5ffc04cc': 'Block execution of potentially obfuscated scripts',
  'd3e037e1-3eb8-44c8-a917-57927947596d': 'Block JavaScript or VBScript from launching downloaded executable content',
  '01443614-cd74-433a-b99e-2ecdc07bfc25':
    'Block executable files from running unless they meet a prevalence, age, or trusted list criterion',
  '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2':
    'Block credential stealing from the Windows local security authority subsystem',
  'd4f940ab-401b-4efc-aadc-ad5f3c50688a': 'Block all Office applications from creating child processes',
  '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b': 'Block Win32 API calls from Office macros',
  'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550': 'Block executable content from email client and webmail',
  'd1e49aac-8f56-4280-b9ba-993a6d77406c': 'Block process creations originating from PSExec and WMI commands',
  'e6db77e5-3df2-4cf1-b95a-636979351e5b': 'Block persistence through WMI event subscription',
  'b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4': 'Block untrusted and unsigned processes that run from USB',
  'c1db55ab-c21a-4637-bb3f-a12568109d35': 'Use advanced protection against ransomware',
};

/** AttackSurfaceReductionRules_Actions values: 0 disabled, 1 block, 2 audit, 5 not configured, 6 warn. */
const ASR_ACTIONS: Record<number, 'block' | 'audit' | 'warn' | 'off'> = {
  0: 'off',
  1: 'block',
  2: 'audit',
  5: 'off',
  6: 'warn',
};

/** Win32_DeviceGuard *EnforcementStatus values: 0 off, 1 audit, 2 enforced. */
const CI_STATES: Record<number, WdacState> = { 0: 'off', 1: 'audit', 2: 'enforced' };

/** System.Management.Automation.PSLanguageMode values, as ConvertTo-Json writes them. */
const LANGUAGE_MODES = ['FullLanguage', 'RestrictedLanguage', 'NoLanguage', 'ConstrainedLanguage'];

/** A language mode written as a name or an enum number. */
export function languageModeName(value: unknown): string | undefined {
  return typeof value === 'number' ? LANGUAGE_MODES[value] : str(value);
}

/** Get-LocalGroupMember PrincipalSource values. */
const PRINCIPAL_SOURCES = ['Unknown', 'Local', 'ActiveDirectory', 'AzureAD', 'MicrosoftAccount'];

type Obj = Record<string, unknown>;

function asObject(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

/**
 * ConvertTo-Json writes a one-item pipeline as an object, not an array, and Windows PowerShell 5.1 sometimes
 * writes an array as `{"value": [...], "Count": n}`.
 */
function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  const wrapped = value as { value?: unknown; Count?: unknown };
  if (typeof wrapped === 'object' && Array.isArray(wrapped.value) && typeof wrapped.Count === 'number')
    return wrapped.value;
  return [value];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function toEnforcement(mode: string): Enforcement {
  if (/^enabled$/i.test(mode)) return 'Enabled';
  if (/^auditonly$/i.test(mode)) return 'AuditOnly';
  return 'NotConfigured';
}

/** Judges an AppLocker policy: effective modes, which rules open user-writable paths, what stays open. */
function normalizeAppLocker(policy: RawAppLockerPolicy): Partial<Record<AppLockerCollectionType, AppLockerCollection>> {
  const collections: Partial<Record<AppLockerCollectionType, AppLockerCollection>> = {};
  for (const type of COLLECTION_TYPES) {
    const raw = policy.collections.find((c) => c.type.toLowerCase() === type.toLowerCase());
    const extensions = COLLECTION_EXTENSIONS[type] ?? [];
    const declared = toEnforcement(raw?.enforcementMode ?? 'NotConfigured');
    const rawRules = raw?.rules ?? [];
    const rules: AppLockerRule[] = rawRules.map((r) => {
      const principal = sidName(r.sid);
      return {
        id: r.id,
        name: r.name,
        kind: r.element === 'FilePathRule' ? 'path' : r.element === 'FilePublisherRule' ? 'publisher' : 'hash',
        action: /^deny$/i.test(r.action) ? 'Deny' : 'Allow',
        sid: r.sid,
        ...(principal ? { principal } : {}),
        conditions: r.conditions,
        exceptions: r.exceptions,
        userWritable: r.pathConditions.some((p) => userWritableLocations(p, extensions).length > 0),
        broadPrincipal: isBroadPrincipal(r.sid),
      };
    });
    const broad = rawRules.filter((r) => isBroadPrincipal(r.sid));
    const open = openUserWritableLocations(
      broad
        .filter((r) => !/^deny$/i.test(r.action) && r.element === 'FilePathRule')
        .map((r) => ({ paths: r.pathConditions, exceptionPaths: r.pathExceptions })),
      broad.filter((r) => /^deny$/i.test(r.action)).flatMap((r) => r.pathConditions),
      extensions,
    );
    // AppLocker enforces a collection that has rules but no EnforcementMode; without rules nothing is restricted.
    const enforcement: Enforcement = declared === 'NotConfigured' && rules.length > 0 ? 'Enabled' : declared;
    collections[type] = {
      enforcement,
      declaredEnforcement: declared,
      rules,
      // With no rules (or only audit), nothing is blocked anywhere, user-writable folders included.
      userWritableAllowed: rules.length === 0 || open.length > 0,
      userWritableLocations:
        rules.length === 0 ? ['temp', 'localappdata', 'appdata', 'downloads', 'profile', 'windows-temp'] : open,
    };
  }
  return collections;
}

function serviceState(body: unknown): 'running' | 'stopped' | 'unknown' {
  const status = asObject(body).Status;
  // ServiceControllerStatus: 1 Stopped, 4 Running, others are transitions.
  if (status === 4 || (typeof status === 'string' && /^running$/i.test(status))) return 'running';
  if (status === 1 || (typeof status === 'string' && /^stopped$/i.test(status))) return 'stopped';
  return 'unknown';
}

function lockdownConstrains(value: string | null): boolean {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && (n & 4) === 4;
}

/**
 * The language mode a standard user's session gets. Observed directly when the collector ran unelevated;
 * otherwise derived the way PowerShell decides it: __PSLockdownPolicy, WDAC user-mode enforcement, or AppLocker
 * script rules that would block PowerShell's probe script in %TEMP%.
 */
function nonAdminLanguageMode(host: Host, session: Obj): { mode?: string; basis: string } {
  const observed = languageModeName(session.LanguageMode);
  const elevated = session.Elevated;
  if (observed && (elevated === false || session.IsAdmin === false))
    return { mode: observed, basis: 'observed in the collector session of a standard user' };
  // A constrained session of unknown or elevated rights: standard users are constrained at least as much.
  if (observed === 'ConstrainedLanguage')
    return { mode: observed, basis: 'observed ConstrainedLanguage in the collector session' };
  if (lockdownConstrains(host.powershell?.lockdownPolicy ?? null))
    return { mode: 'ConstrainedLanguage', basis: '__PSLockdownPolicy asks for ConstrainedLanguage' };
  if (host.wdac?.usermode === 'enforced')
    return { mode: 'ConstrainedLanguage', basis: 'WDAC enforces user-mode code integrity' };
  const script = host.applocker?.collections.Script;
  if (script && host.applocker?.appIdSvc !== 'stopped') {
    if (script.enforcement === 'Enabled') {
      return script.userWritableLocations?.includes('temp')
        ? {
            mode: 'FullLanguage',
            basis: 'AppLocker script rules allow scripts in %TEMP%, so PowerShell does not constrain users',
          }
        : { mode: 'ConstrainedLanguage', basis: 'AppLocker script rules are enforced' };
    }
  }
  if (!script || host.wdac === undefined || session.PSLockdownPolicy === undefined)
    return { basis: 'not enough data to derive it' };
  return {
    mode: 'FullLanguage',
    basis:
      'nothing constrains PowerShell: no lockdown policy, no WDAC user-mode enforcement, no enforced AppLocker script rules',
  };
}

function normalizeBundle(bundle: RawBundle): { host: Host; source: Source } {
  const gaps: Gap[] = [...bundle.gaps];
  const byKind = new Map<string, RawDocument>();
  for (const doc of bundle.documents) byKind.set(doc.kind, doc);
  for (const kind of REQUIRED_KINDS) {
    const topic = WINDOWS_DOCUMENTS[kind];
    if (!byKind.has(kind) && !gaps.some((g) => g.what === topic))
      gaps.push({
        what: topic,
        reason: `no ${kind.replace('windows.', '')} data was collected or imported for this host`,
      });
  }
  const info = asObject(byKind.get('windows.host-info')?.body);
  const productType = typeof info.ProductType === 'number' ? info.ProductType : undefined;
  const server = productType === 2 || productType === 3 || /server/i.test(str(info.OsCaption) ?? '');
  const host: Host = {
    uid: `windows:host/${bundle.scope.id}`,
    provider: 'windows',
    scope: bundle.scope,
    os: 'windows',
    name: bundle.scope.name ?? bundle.scope.id,
  };
  const osVersion = [str(info.OsCaption), str(info.OsVersion)].filter(Boolean).join(' ');
  if (osVersion) host.osVersion = osVersion;
  const details: Obj = {};
  if (productType !== undefined)
    details.productType = productType === 1 ? 'workstation' : productType === 2 ? 'domain-controller' : 'server';

  const appLockerDoc = byKind.get('windows.applocker-xml');
  if (appLockerDoc && typeof appLockerDoc.body === 'string') {
    host.applocker = { collections: normalizeAppLocker(parseAppLockerXml(appLockerDoc.body, appLockerDoc.origin)) };
    const svc = byKind.get('windows.appidsvc');
    host.applocker.appIdSvc = svc ? serviceState(svc.body) : 'unknown';
  }

  const device = byKind.get('windows.device-guard');
  if (device) {
    const body = asObject(device.body);
    const ci = body.CodeIntegrityPolicyEnforcementStatus;
    const umci = body.UsermodeCodeIntegrityPolicyEnforcementStatus;
    host.wdac = {
      state: typeof ci === 'number' ? (CI_STATES[ci] ?? 'unknown') : 'unknown',
      usermode: typeof umci === 'number' ? (CI_STATES[umci] ?? 'unknown') : 'unknown',
    };
  }

  const session = asObject(byKind.get('windows.language-mode')?.body);
  const policyDoc = byKind.get('windows.execution-policy');
  if (policyDoc || byKind.has('windows.language-mode')) {
    host.powershell = {};
    if (policyDoc) Object.assign(host.powershell, effectiveExecutionPolicy(policyDoc.body, server));
    if (byKind.has('windows.language-mode')) {
      host.powershell.languageMode = languageModeName(session.LanguageMode) ?? null;
      host.powershell.lockdownPolicy =
        session.PSLockdownPolicy === null || session.PSLockdownPolicy === undefined
          ? null
          : String(session.PSLockdownPolicy);
    }
    if (policyDoc && productType === undefined && host.powershell.effectiveScope === 'Default')
      details.executionPolicyDefault = 'assumed a Windows client (Restricted); no host info said otherwise';
  }
  if (byKind.has('windows.language-mode')) {
    const derived = nonAdminLanguageMode(host, session);
    if (derived.mode) host.powershell!.nonAdminLanguageMode = derived.mode;
    details.nonAdminLanguageModeBasis = derived.basis;
    if (session.UserName !== undefined)
      details.collectedAs = {
        user: session.UserName,
        elevated: session.Elevated ?? null,
        admin: session.IsAdmin ?? null,
      };
  }

  const mp = byKind.get('windows.mp-preference');
  if (mp) {
    const body = asObject(mp.body);
    const ids = asArray(body.AttackSurfaceReductionRules_Ids);
    const actions = asArray(body.AttackSurfaceReductionRules_Actions);
    host.asr = {
      rules: ids.flatMap((id, i) => {
        if (typeof id !== 'string') return [];
        const key = id.trim().toLowerCase();
        const action = ASR_ACTIONS[Number(actions[i])] ?? 'off';
        const name = ASR_RULE_NAMES[key];
        return [{ id: key, ...(name ? { name } : {}), action }];
      }),
    };
  }

  const admins = byKind.get('windows.local-admins');
  if (admins) {
    host.localAdmins = asArray(admins.body).map((m) => {
      const member = asObject(m);
      const sidValue = typeof member.SID === 'string' ? member.SID : str(asObject(member.SID).Value);
      const source =
        typeof member.PrincipalSource === 'number'
          ? PRINCIPAL_SOURCES[member.PrincipalSource]
          : str(member.PrincipalSource);
      const kind = [str(member.ObjectClass)?.toLowerCase(), source].filter(Boolean).join(' ');
      return {
        name: str(member.Name) ?? sidValue ?? '?',
        ...(sidValue ? { sid: sidValue } : {}),
        ...(kind ? { kind } : {}),
      };
    });
  }

  const tools = byKind.get('windows.cloud-tools');
  if (tools) {
    host.cloudTools = asArray(tools.body).map((t) => {
      const tool = asObject(t);
      return { tool: str(tool.Tool) ?? '?', path: str(tool.Path) ?? '', version: str(tool.Version) ?? null };
    });
  }

  const creds = byKind.get('windows.cloud-credentials');
  if (creds) {
    const body = asObject(creds.body);
    host.cloudCredentials = asArray(body.Files).map((f) => {
      const file = asObject(f);
      const detail = str(file.Detail);
      return {
        tool: str(file.Tool) ?? '?',
        path: str(file.Path) ?? '',
        kind: file.Kind === 'short-lived' ? 'short-lived' : 'long-lived',
        ...(detail ? { detail } : {}),
      };
    });
    const unreadable = asArray(body.UnreadableProfiles).filter((p): p is string => typeof p === 'string');
    const gap = unreadCredentialsGap(
      host,
      unreadable,
      'windows.cloud-credentials',
      (shown) =>
        `${unreadable.length} user profile(s) could not be read (run the collector elevated to read them): ${shown}`,
      'Get-ChildItem C:\\Users',
    );
    if (gap) gaps.push(gap);
  }
  if (Object.keys(details).length > 0) host.details = details;
  const source: Source = {
    provider: 'windows',
    scope: bundle.scope,
    method: bundle.method,
    collectedAt: bundle.collectedAt,
    gaps,
  };
  return { host, source: windowsItemLedger(bundle, byKind).settle(source) };
}

/**
 * A Windows host's items: one per document, except the lists (ASR rules, local administrators, cloud tools,
 * credential files), whose entries are the items. A document of a kind the host already has is dropped (the last is
 * used); the AppID service state without an AppLocker policy is skipped; an ASR rule without an id is dropped.
 */
function windowsItemLedger(bundle: RawBundle, byKind: Map<string, RawDocument>): ItemLedger {
  const ledger = new ItemLedger();
  for (const doc of bundle.documents) {
    const origin = bundle.origin ?? doc.origin;
    const topic = WINDOWS_DOCUMENTS[doc.kind as WindowsDocumentKind];
    const body = asObject(doc.body);
    const entries =
      doc.kind === 'windows.mp-preference'
        ? asArray(body.AttackSurfaceReductionRules_Ids)
        : doc.kind === 'windows.local-admins' || doc.kind === 'windows.cloud-tools'
          ? asArray(doc.body)
          : doc.kind === 'windows.cloud-credentials'
            ? asArray(body.Files)
            : undefined;
    const count = entries?.length ?? 1;
    ledger.read(origin, count);
    if (byKind.get(doc.kind) !== doc)
      ledger.dropped(
        origin,
        `a second ${doc.kind.replace('windows.', '')} document for host ${bundle.scope.id} (the last one is used)`,
        undefined,
        count,
      );
    else if (doc.kind === 'windows.appidsvc' && !byKind.has('windows.applocker-xml'))
      ledger.skipped(origin, 'AppID service state without an AppLocker policy to enforce');
    else if (doc.kind === 'windows.mp-preference') {
      const bad = entries!.filter((id) => typeof id !== 'string').length;
      ledger.used(origin, count - bad);
      if (bad > 0) ledger.dropped(origin, 'ASR rule whose id is not a string', topic, bad);
    } else ledger.used(origin, count);
  }
  return ledger;
}

/** Pure: raw Windows host bundles to snapshot hosts and sources. */
export function normalizeWindows(bundles: RawBundle[]): SnapshotPart {
  return hostsPart(bundles, normalizeBundle);
}
