import { stat } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import { readInputText } from '../../util/files.js';
import { parseJsonText } from '../../util/json.js';
import { assertDistinctHosts, hostBundleFromJson, hostScopeId, looksLikeHostBundle } from '../hosts/bundle.js';
import type { ImportContext, RawBundle, RawDocument } from '../types.js';
import { looksLikeXml, parseAppLockerXml } from './applocker-xml.js';
import { isExecutionPolicyList } from './execution-policy.js';
import { languageModeName, WINDOWS_DOCUMENTS, type WindowsDocumentKind } from './normalize.js';
import type { WindowsImportOptions } from './index.js';

/** Exports are small; anything bigger is not one of them. */
const MAX_EXPORT_BYTES = 64 * 1024 * 1024;

const RECOGNISED =
  'a collector bundle (Get-CloudwardHost.ps1), Get-AppLockerPolicy -Xml, or the ConvertTo-Json output of Get-ExecutionPolicy -List, ' +
  'Win32_DeviceGuard, Get-MpPreference, Get-LocalGroupMember Administrators, Get-Service AppIDSvc, or $ExecutionContext.SessionState';

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function rows(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Recognises one raw PowerShell output by its content (never its name) and keeps only the fields cloudward reads. */
function recogniseWindowsJson(value: unknown): { kind: WindowsDocumentKind; body: unknown } | undefined {
  if (isExecutionPolicyList(value)) return { kind: 'windows.execution-policy', body: value };
  if (isObject(value) && 'CodeIntegrityPolicyEnforcementStatus' in value) {
    return {
      kind: 'windows.device-guard',
      body: {
        CodeIntegrityPolicyEnforcementStatus: value.CodeIntegrityPolicyEnforcementStatus,
        UsermodeCodeIntegrityPolicyEnforcementStatus: value.UsermodeCodeIntegrityPolicyEnforcementStatus ?? null,
      },
    };
  }
  // Get-MpPreference also lists exclusions and other settings: only the ASR rules are kept.
  if (isObject(value) && 'AttackSurfaceReductionRules_Ids' in value) {
    return {
      kind: 'windows.mp-preference',
      body: {
        AttackSurfaceReductionRules_Ids: value.AttackSurfaceReductionRules_Ids ?? null,
        AttackSurfaceReductionRules_Actions: value.AttackSurfaceReductionRules_Actions ?? null,
      },
    };
  }
  const members = rows(value);
  if (
    members.length > 0 &&
    members.every((m) => isObject(m) && 'ObjectClass' in m && 'PrincipalSource' in m && 'Name' in m)
  ) {
    return { kind: 'windows.local-admins', body: value };
  }
  if (isObject(value) && typeof value.Name === 'string' && /^appidsvc$/i.test(value.Name) && 'Status' in value)
    return { kind: 'windows.appidsvc', body: value };
  if (isObject(value) && languageModeName(value.LanguageMode) !== undefined)
    return { kind: 'windows.language-mode', body: value };
  return undefined;
}

async function readRawDocument(path: string): Promise<RawDocument | RawBundle> {
  const text = await readInputText(path, 'Windows export', MAX_EXPORT_BYTES);
  if (text.trim() === '')
    throw new UserError('Windows export holds only whitespace', { where: path, hint: 'export it again' });
  if (looksLikeXml(text)) {
    parseAppLockerXml(text, path);
    return { kind: 'windows.applocker-xml', origin: path, body: text };
  }
  if (!/^\s*[[{]/.test(text))
    throw new UserError('not a recognised Windows export (neither XML nor JSON)', {
      where: path,
      hint: `pass ${RECOGNISED}`,
    });
  const value = parseJsonText(text, path, 'Windows export JSON');
  if (looksLikeHostBundle(value)) {
    const bundle = hostBundleFromJson(value, path, 'windows');
    for (const doc of bundle.documents) {
      if (!(doc.kind in WINDOWS_DOCUMENTS))
        throw new UserError(`unknown document kind "${doc.kind}" in a Windows bundle`, {
          where: path,
          hint: 'regenerate the bundle with the collector that ships with this cloudward',
        });
      if (doc.kind === 'windows.applocker-xml') {
        if (typeof doc.body !== 'string')
          throw new UserError('the AppLocker policy in this bundle is not an XML string', {
            where: path,
            hint: 'regenerate the bundle with the collector',
          });
        parseAppLockerXml(doc.body, `${path} (AppLocker policy)`);
      }
    }
    return bundle;
  }
  const recognised = recogniseWindowsJson(value);
  if (!recognised) throw new UserError('not a recognised Windows export', { where: path, hint: `pass ${RECOGNISED}` });
  return { kind: recognised.kind, origin: path, body: recognised.body };
}

/**
 * Reads collector bundles (one host each) and raw PowerShell outputs (together one host, named by --host).
 * Every file is recognised by content; anything unrecognised, empty, malformed or hostile is a UserError.
 */
export async function importWindowsFiles(
  paths: string[],
  context: ImportContext<WindowsImportOptions>,
): Promise<RawBundle[]> {
  if (paths.length === 0)
    throw new UserError('no files given', {
      hint: 'pass collector bundles or raw exports, e.g. `cloudward import windows host.json`',
    });
  const bundles: RawBundle[] = [];
  const bundleFiles: string[] = [];
  const loose: RawDocument[] = [];
  for (const path of paths) {
    const read = await readRawDocument(path);
    if ('documents' in read) {
      bundles.push(read);
      bundleFiles.push(path);
    } else {
      const twin = loose.find((d) => d.kind === read.kind);
      if (twin)
        throw new UserError(`two exports of the same kind (${read.kind}) for one host (also ${twin.origin})`, {
          where: path,
          hint: 'import one file of each kind per host, or use one collector bundle per host',
        });
      loose.push(read);
    }
  }
  if (loose.length > 0) {
    const name = context.options.host?.trim() ?? '';
    if (!name)
      throw new UserError('raw exports do not name their host', {
        where: loose[0]!.origin,
        hint: 'pass --host NAME (or import a collector bundle, which names it)',
      });
    const collectedAt = context.collectedAt;
    let at: string;
    if (collectedAt !== undefined) {
      const parsed = Date.parse(collectedAt);
      if (!Number.isFinite(parsed))
        throw new UserError(`--collected-at "${collectedAt}" is not a date-time`, {
          hint: 'use ISO 8601, e.g. 2026-11-01T09:00:00Z',
        });
      at = isoSeconds(parsed);
    } else {
      // The newest export's modification time is when the host was last read.
      const times = await Promise.all(loose.map(async (d) => (await stat(d.origin)).mtimeMs));
      at = isoSeconds(Math.max(...times));
    }
    bundles.push({
      provider: 'windows',
      scope: { kind: 'host', id: hostScopeId(name), name },
      method: 'import',
      collectedAt: at,
      documents: loose,
      gaps: [],
    });
    bundleFiles.push(loose[0]!.origin);
  }
  assertDistinctHosts(bundles, bundleFiles);
  context.progress.status(`windows: read ${paths.length} file(s), ${bundles.length} host(s)`);
  return bundles;
}
