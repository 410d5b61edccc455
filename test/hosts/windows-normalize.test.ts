import { readFileSync } from 'node:fs';
import test from 'ava';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { RawBundle, RawDocument } from '../../src/providers/types.js';
import { windowsAdapter } from '../../src/providers/windows/index.js';
import { effectiveExecutionPolicy } from '../../src/providers/windows/execution-policy.js';
import { fixture, importContext } from './helpers.js';

const w = (name: string) => fixture('windows', name);
const text = (name: string) => readFileSync(w(name), 'utf8');
const json = (name: string) => JSON.parse(text(name)) as unknown;

function bundle(documents: Array<[string, unknown]>, gaps: RawBundle['gaps'] = []): RawBundle {
  return {
    provider: 'windows',
    scope: { kind: 'host', id: 'ws-09', name: 'WS-09' },
    method: 'import',
    collectedAt: '2026-11-01T09:00:00.000Z',
    documents: documents.map(([kind, body]): RawDocument => ({ kind, origin: `${kind}.fixture`, body })),
    gaps,
  };
}

const host = (b: RawBundle) => windowsAdapter.normalize([b]).hosts[0]!;
const gapsOf = (b: RawBundle) => windowsAdapter.normalize([b]).sources[0]!.gaps.map((g) => g.what);

test('the jump-host policy: Exe enforced but %OSDRIVE%\\Users\\* open to everyone, scripts audit-only', (t) => {
  const h = host(bundle([['windows.applocker-xml', text('applocker-jump-host.xml')]]));
  const exe = h.applocker!.collections.Exe!;
  t.is(exe.enforcement, 'Enabled');
  t.true(exe.userWritableAllowed);
  t.deepEqual(exe.userWritableLocations, ['temp', 'localappdata', 'appdata', 'downloads', 'profile']);
  const users = exe.rules.find((r) => r.conditions.includes('%OSDRIVE%\\Users\\*'))!;
  t.like(users, {
    kind: 'path',
    action: 'Allow',
    sid: 'S-1-1-0',
    principal: 'Everyone',
    userWritable: true,
    broadPrincipal: true,
  });
  // The default rules: Program Files and Windows are not user-writable; "*" is for administrators only.
  t.false(exe.rules.find((r) => r.conditions.includes('%WINDIR%\\*'))!.userWritable);
  t.like(
    exe.rules.find((r) => r.sid === 'S-1-5-32-544'),
    { userWritable: true, broadPrincipal: false, principal: 'BUILTIN\\Administrators' },
  );
  t.like(
    exe.rules.find((r) => r.kind === 'hash'),
    { action: 'Deny', conditions: ['PsExec.exe'] },
  );
  t.like(
    exe.rules.find((r) => r.kind === 'publisher'),
    { conditions: ['O=MICROSOFT CORPORATION, L=REDMOND, S=WASHINGTON, C=US/*/* [*..*]'] },
  );
  t.like(h.applocker!.collections.Script, {
    enforcement: 'AuditOnly',
    declaredEnforcement: 'AuditOnly',
    userWritableAllowed: false,
  });
  t.like(h.applocker!.collections.Msi, { enforcement: 'NotConfigured', userWritableAllowed: true });
  t.is(h.applocker!.appIdSvc, 'unknown');
});

test('exceptions and deny rules take user-writable folders back; NotConfigured with rules is enforced', (t) => {
  const h = host(bundle([['windows.applocker-xml', text('applocker-hardened.xml')]]));
  const exe = h.applocker!.collections.Exe!;
  t.false(exe.userWritableAllowed);
  t.deepEqual(exe.userWritableLocations, []);
  // The Domain Users rule still reads as user-writable on its own; its exception closes it.
  t.like(
    exe.rules.find((r) => r.sid.endsWith('-513')),
    { userWritable: true, broadPrincipal: true, principal: 'Domain Users', name: 'Team tools & scripts share' },
  );
  const script = h.applocker!.collections.Script!;
  t.is(script.declaredEnforcement, 'NotConfigured');
  t.is(script.enforcement, 'Enabled');
  t.deepEqual(script.userWritableLocations, ['appdata']);
});

test('an empty effective policy leaves every collection unenforced and open', (t) => {
  const h = host(bundle([['windows.applocker-xml', text('applocker-none.xml')]]));
  for (const type of ['Exe', 'Script', 'Msi', 'Dll', 'Appx'] as const)
    t.like(h.applocker!.collections[type], { enforcement: 'NotConfigured', rules: [], userWritableAllowed: true });
});

test('execution policy numbers from Windows PowerShell 5.1: MachinePolicy RemoteSigned wins', (t) => {
  const h = host(bundle([['windows.execution-policy', json('execution-policy-ps51.json')]]));
  t.deepEqual(h.powershell, {
    executionPolicies: {
      MachinePolicy: 'RemoteSigned',
      UserPolicy: 'Undefined',
      Process: 'Undefined',
      CurrentUser: 'Bypass',
      LocalMachine: 'RemoteSigned',
    },
    effective: 'RemoteSigned',
    effectiveScope: 'MachinePolicy',
  });
});

test('execution policy names: CurrentUser Bypass beats LocalMachine RemoteSigned', (t) => {
  t.like(host(bundle([['windows.execution-policy', json('execution-policy-strings.json')]])).powershell, {
    effective: 'Bypass',
    effectiveScope: 'CurrentUser',
  });
});

test('all scopes Undefined: Restricted on a client, RemoteSigned on a server, from the Default scope', (t) => {
  t.like(host(bundle([['windows.execution-policy', json('execution-policy-undefined.json')]])).powershell, {
    effective: 'Restricted',
    effectiveScope: 'Default',
  });
  t.like(
    host(
      bundle([
        ['windows.execution-policy', json('execution-policy-undefined.json')],
        ['windows.host-info', { ProductType: 3 }],
      ]),
    ).powershell,
    { effective: 'RemoteSigned', effectiveScope: 'Default' },
  );
  t.like(
    effectiveExecutionPolicy(
      [
        { Scope: 'Process', ExecutionPolicy: 'Unrestricted' },
        { Scope: 'UserPolicy', ExecutionPolicy: 'AllSigned' },
      ],
      false,
    ),
    { effective: 'AllSigned', effectiveScope: 'UserPolicy' },
  );
});

test('WDAC and ASR: enforcement codes and rule actions are decoded, ASR ids lower-cased', (t) => {
  const h = host(
    bundle([
      ['windows.device-guard', json('device-guard.json')],
      ['windows.mp-preference', json('mp-preference.json')],
    ]),
  );
  t.deepEqual(h.wdac, { state: 'enforced', usermode: 'audit' });
  t.deepEqual(h.asr!.rules, [
    {
      id: '5beb7efe-fd9a-4556-801d-275e5ffc04cc',
      name: 'Block execution of potentially obfuscated scripts',
      action: 'audit',
    },
    {
      id: '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2',
      name: 'Block credential stealing from the Windows local security authority subsystem',
      action: 'block',
    },
  ]);
});

test('Get-MpPreference with no ASR rules gives an empty list, not a gap', (t) => {
  const b = bundle([
    ['windows.mp-preference', { AttackSurfaceReductionRules_Ids: null, AttackSurfaceReductionRules_Actions: null }],
  ]);
  t.deepEqual(host(b).asr, { rules: [] });
  t.false(gapsOf(b).includes('windows.defender'));
});

test('local administrators keep name, SID and kind; a single member (an object) is a list of one', (t) => {
  t.deepEqual(host(bundle([['windows.local-admins', json('local-admins.json')]])).localAdmins, [
    { name: 'WS-01\\Administrator', sid: 'S-1-5-21-3623811015-3361044348-30300820-500', kind: 'user Local' },
    { name: 'ACME\\Domain Admins', sid: 'S-1-5-21-1004336348-1177238915-682003330-512', kind: 'group ActiveDirectory' },
  ]);
  const wrapped = {
    value: [
      { Name: 'A', SID: 'S-1-5-21-1-2-3-500', PrincipalSource: 1, ObjectClass: 'User' },
      { Name: 'B', SID: 'S-1-5-21-1-2-3-1001', PrincipalSource: 1, ObjectClass: 'User' },
    ],
    Count: 2,
  };
  t.is(host(bundle([['windows.local-admins', wrapped]])).localAdmins!.length, 2);
  t.is(
    host(
      bundle([
        [
          'windows.local-admins',
          { Name: 'H\\Administrator', SID: 'S-1-5-21-1-2-3-500', PrincipalSource: 'Local', ObjectClass: 'User' },
        ],
      ]),
    ).localAdmins!.length,
    1,
  );
});

test('language mode observed in a standard user session is what standard users get', (t) => {
  const h = host(
    bundle([
      [
        'windows.language-mode',
        { LanguageMode: 'ConstrainedLanguage', PSLockdownPolicy: null, Elevated: false, IsAdmin: false },
      ],
    ]),
  );
  t.like(h.powershell, {
    languageMode: 'ConstrainedLanguage',
    nonAdminLanguageMode: 'ConstrainedLanguage',
    lockdownPolicy: null,
  });
});

test('a language mode export (an enum number) of unknown rights counts when it is constrained', async (t) => {
  const [b] = await windowsAdapter.importFiles([w('language-mode.json')], importContext({ host: 'ws-09' }));
  t.like(host(b!).powershell, { languageMode: 'ConstrainedLanguage', nonAdminLanguageMode: 'ConstrainedLanguage' });
  t.is(host(bundle([['windows.language-mode', { LanguageMode: 0 }]])).powershell!.languageMode, 'FullLanguage');
});

test('collected as admin, the standard-user language mode is derived from the enforcement in place', (t) => {
  const admin = [
    'windows.language-mode',
    { LanguageMode: 'FullLanguage', PSLockdownPolicy: null, Elevated: true, IsAdmin: true },
  ] as [string, unknown];
  const off = [
    'windows.device-guard',
    { CodeIntegrityPolicyEnforcementStatus: 0, UsermodeCodeIntegrityPolicyEnforcementStatus: 0 },
  ] as [string, unknown];
  // Script rules enforced, %TEMP% not open: PowerShell's probe script is blocked, so users are constrained.
  const hardened = host(
    bundle([
      admin,
      off,
      [
        'windows.applocker-xml',
        text('applocker-none.xml')
          .replace(
            '/>',
            '><RuleCollection Type="Script" EnforcementMode="Enabled"><FilePathRule Id="1" Name="pf" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="%PROGRAMFILES%\\*" /></Conditions></FilePathRule></RuleCollection></AppLockerPolicy>',
          )
          .replace('<AppLockerPolicy Version="1" >', '<AppLockerPolicy Version="1">'),
      ],
    ]),
  );
  t.is(hardened.powershell!.nonAdminLanguageMode, 'ConstrainedLanguage');
  // Scripts audit-only and no WDAC: nothing constrains users.
  const jump = host(bundle([admin, off, ['windows.applocker-xml', text('applocker-jump-host.xml')]]));
  t.is(jump.powershell!.nonAdminLanguageMode, 'FullLanguage');
  // __PSLockdownPolicy 4 constrains everyone.
  t.is(
    host(
      bundle([
        ['windows.language-mode', { LanguageMode: 'ConstrainedLanguage', PSLockdownPolicy: '4', Elevated: true }],
      ]),
    ).powershell!.nonAdminLanguageMode,
    'ConstrainedLanguage',
  );
  // Without AppLocker or WDAC data nothing can be derived: absent, so checks say unknown.
  t.is(host(bundle([admin])).powershell!.nonAdminLanguageMode, undefined);
});

test('every topic missing from an import becomes a gap; one supplied is not', (t) => {
  const gaps = gapsOf(bundle([['windows.applocker-xml', text('applocker-none.xml')]]));
  t.false(gaps.includes('windows.applocker'));
  t.deepEqual(gaps.sort(), [
    'windows.cloud-credentials',
    'windows.cloud-tools',
    'windows.defender',
    'windows.execution-policy',
    'windows.language-mode',
    'windows.local-admins',
    'windows.wdac',
  ]);
});

test('unread profiles are a gap only when no long-lived credential was found anyway', (t) => {
  const found = bundle([
    [
      'windows.cloud-credentials',
      {
        Files: [{ Tool: 'az', Path: 'C:\\Users\\a\\.azure\\msal_token_cache.bin', Kind: 'long-lived' }],
        UnreadableProfiles: ['C:\\Users\\b'],
      },
    ],
  ]);
  t.false(gapsOf(found).includes('windows.cloud-credentials'));
  t.is(host(found).cloudCredentials![0]!.kind, 'long-lived');
  const none = bundle([['windows.cloud-credentials', { Files: [], UnreadableProfiles: ['C:\\Users\\b'] }]]);
  t.true(gapsOf(none).includes('windows.cloud-credentials'));
});

test('a collector bundle normalizes into a valid snapshot', async (t) => {
  const bundles = await windowsAdapter.importFiles([w('bundle-ws-01.json')], importContext());
  const part = windowsAdapter.normalize(bundles);
  const snapshot = assembleSnapshot([part], '2026-10-15T08:30:00Z');
  const h = snapshot.hosts[0]!;
  t.is(h.uid, 'windows:host/ws-01');
  t.is(h.osVersion, 'Microsoft Windows 11 Enterprise 10.0.22631');
  t.like(h.powershell, {
    effective: 'AllSigned',
    effectiveScope: 'MachinePolicy',
    nonAdminLanguageMode: 'ConstrainedLanguage',
  });
  t.is(h.applocker!.appIdSvc, 'running');
  // Bob's profile was unreadable and only a short-lived credential was found: the credential check cannot pass.
  t.deepEqual(
    snapshot.sources[0]!.gaps.map((g) => g.what),
    ['windows.defender', 'windows.cloud-credentials'],
  );
  t.is(h.asr, undefined);
});
