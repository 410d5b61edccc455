import type { Host } from '../src/snapshot/model.js';
import type { Prng } from './prng.js';
import type { ExpectationTally } from './tenant-expectations.js';
import type { TenantLayout } from './tenant-layout.js';

const POLICIES = ['Restricted', 'AllSigned', 'RemoteSigned', 'Unrestricted', 'Bypass', 'Undefined'] as const;

function applockerRule(rng: Prng, i: number, collection: string) {
  const userWritable = rng.chance(0.1);
  return {
    id: rng.guid(),
    name: `${collection} rule ${i}`,
    kind: rng.pick(['path', 'publisher', 'hash'] as const),
    action: rng.chance(0.9) ? ('Allow' as const) : ('Deny' as const),
    sid: rng.chance(0.7) ? 'S-1-1-0' : 'S-1-5-32-544',
    conditions: [
      userWritable ? '%OSDRIVE%\\Users\\*' : rng.pick(['%PROGRAMFILES%\\*', '%WINDIR%\\*', 'O=CONTOSO LTD']),
    ],
    exceptions: [],
  };
}

/** Windows servers (PowerShell, AppLocker, WDAC, local admins) and Linux servers (mounts, sudoers, MAC, SSH). */
export function* hostResources(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Host> {
  for (const { name, os } of layout.hosts) {
    const scope = { kind: 'host' as const, id: name, name };
    const cloudTools = rng.chance(0.3)
      ? [
          {
            tool: rng.pick(['aws', 'az', 'gcloud']),
            path: os === 'windows' ? 'C:\\Program Files\\cli\\cli.exe' : '/usr/local/bin/cli',
            version: '2.15.0',
          },
        ]
      : [];
    const cloudCredentials =
      cloudTools.length > 0 && rng.chance(0.4)
        ? [
            {
              tool: cloudTools[0]!.tool,
              path: os === 'windows' ? 'C:\\Users\\svc\\.aws\\credentials' : '/home/deploy/.aws/credentials',
              kind: rng.chance(0.7) ? ('long-lived' as const) : ('short-lived' as const),
            },
          ]
        : [];
    if (os === 'windows') {
      const machine = rng.chance(0.6) ? rng.pick(['AllSigned', 'RemoteSigned'] as const) : 'Undefined';
      const local = rng.pick(POLICIES);
      const effective = machine !== 'Undefined' ? machine : local === 'Undefined' ? 'Restricted' : local;
      const enforcement = rng.pick(['NotConfigured', 'AuditOnly', 'Enabled'] as const);
      const collection = (label: string) => {
        const rules =
          enforcement === 'NotConfigured'
            ? []
            : Array.from({ length: rng.int(1, 4) }, (_, i) => applockerRule(rng, i, label));
        // What the Windows normalizer derives: an allow rule for Everyone over the Users folder leaves it open.
        const open =
          enforcement === 'NotConfigured' ||
          rules.some(
            (r) => r.action === 'Allow' && r.sid === 'S-1-1-0' && r.conditions[0]!.startsWith('%OSDRIVE%\\Users'),
          );
        return {
          enforcement,
          rules,
          userWritableAllowed: open,
          userWritableLocations: open ? ['profile', 'temp', 'appdata'] : [],
        };
      };
      const languageMode = rng.chance(0.15) ? 'ConstrainedLanguage' : 'FullLanguage';
      const host = {
        uid: `windows:${name}`,
        provider: 'windows',
        scope,
        os,
        name,
        osVersion: rng.pick(['10.0.17763', '10.0.20348', '10.0.26100']),
        powershell: {
          executionPolicies: {
            MachinePolicy: machine,
            UserPolicy: 'Undefined',
            Process: 'Undefined',
            CurrentUser: 'Undefined',
            LocalMachine: local,
          },
          effective,
          effectiveScope: machine !== 'Undefined' ? 'MachinePolicy' : 'LocalMachine',
          languageMode,
          nonAdminLanguageMode: languageMode,
        },
        applocker: { collections: { Exe: collection('Exe'), Script: collection('Script'), Msi: collection('Msi') } },
        wdac: { state: rng.pick(['enforced', 'audit', 'off'] as const), policies: [] },
        asr: {
          rules: [
            {
              id: 'd1e49aac-8f56-4280-b9ba-993a6d77406c',
              name: 'Block process creations from PSExec and WMI commands',
              action: rng.pick(['block', 'audit', 'off'] as const),
            },
          ],
        },
        localAdmins: [
          { name: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', kind: 'group' },
          ...(rng.chance(0.3) ? [{ name: 'CONTOSO\\helpdesk', kind: 'group' }] : []),
        ],
        cloudTools,
        cloudCredentials,
      } as Host;
      tallyWindows(tally, host);
      yield host;
    } else {
      const nopasswd = rng.chance(0.3);
      const host = {
        uid: `linux:${name}`,
        provider: 'linux',
        scope,
        os,
        name,
        osVersion: rng.pick(['Ubuntu 22.04', 'Ubuntu 24.04', 'RHEL 9.4', 'Debian 12']),
        mounts: [
          {
            path: '/tmp',
            device: 'tmpfs',
            fstype: 'tmpfs',
            options: rng.chance(0.5) ? ['rw', 'nosuid', 'nodev', 'noexec'] : ['rw', 'nosuid', 'nodev'],
          },
          { path: '/dev/shm', device: 'tmpfs', fstype: 'tmpfs', options: ['rw', 'nosuid', 'nodev'] },
        ],
        sudoers: [
          { who: '%sudo', runAs: 'ALL', commands: ['ALL'], nopasswd: false, source: '/etc/sudoers' },
          ...(nopasswd
            ? [
                {
                  who: 'deploy',
                  runAs: 'root',
                  commands: [rng.pick(['ALL', '/usr/bin/systemctl restart app'])],
                  nopasswd: true,
                  source: '/etc/sudoers.d/deploy',
                },
              ]
            : []),
        ],
        mac: (() => {
          const apparmor = rng.chance(0.7) ? 'enforce' : 'disabled';
          return { selinux: null, apparmor, fapolicyd: null, enforcing: apparmor === 'enforce' };
        })(),
        ssh: { permitRootLogin: rng.pick(['no', 'prohibit-password', 'yes']) },
        privilegedGroups: [{ name: 'sudo', members: ['ops', ...(nopasswd ? ['deploy'] : [])] }],
        cloudTools,
        cloudCredentials,
      } as Host;
      tallyLinux(tally, host);
      yield host;
    }
  }
}

const pass = (ok: boolean) => (ok ? 'pass' : 'fail');
const longLived = (host: Host) => (host.cloudCredentials ?? []).some((c) => c.kind === 'long-lived');

/** What the Windows checks find on a generated server (no host source, so no gaps and no unknowns). */
function tallyWindows(tally: ExpectationTally, host: Host): void {
  const { Exe, Script } = host.applocker!.collections as Record<
    'Exe' | 'Script',
    { enforcement: string; userWritableAllowed: boolean }
  >;
  tally.add('windows-applocker-enforced', pass(Exe.enforcement === 'Enabled' && Script.enforcement === 'Enabled'));
  tally.add(
    'windows-applocker-blocks-user-writable-executables',
    pass(Exe.enforcement === 'Enabled' && !Exe.userWritableAllowed),
  );
  tally.add(
    'windows-applocker-blocks-user-writable-scripts',
    pass(Script.enforcement === 'Enabled' && !Script.userWritableAllowed),
  );
  // The one ASR rule generated is another one (PSExec and WMI), so the obfuscated-scripts rule is never in block mode.
  tally.add('windows-asr-obfuscated-scripts-blocked', 'fail');
  tally.add('windows-local-admins-few', pass(host.localAdmins!.length <= 4));
  tally.add('windows-no-long-lived-cloud-credentials', pass(!longLived(host)));
  tally.add(
    'windows-powershell-constrained-language',
    pass(host.powershell!.nonAdminLanguageMode === 'ConstrainedLanguage'),
  );
  const { effective, effectiveScope } = host.powershell!;
  tally.add(
    'windows-powershell-execution-policy-gpo',
    pass((effective === 'AllSigned' || effective === 'RemoteSigned') && effectiveScope === 'MachinePolicy'),
  );
  if (host.wdac!.state !== 'off') tally.add('windows-wdac-enforced', pass(host.wdac!.state === 'enforced'));
}

/** What the Linux checks find on a generated server. */
function tallyLinux(tally: ExpectationTally, host: Host): void {
  tally.add('linux-mac-enforcing', pass(host.mac!.enforcing === true));
  tally.add('linux-no-long-lived-cloud-credentials', pass(!longLived(host)));
  tally.add('linux-sshd-root-login-restricted', pass(host.ssh!.permitRootLogin !== 'yes'));
  tally.add('linux-sudo-group-small', pass(host.privilegedGroups!.every((g) => g.members.length <= 4)));
  tally.add('linux-sudo-no-nopasswd-all', pass(!host.sudoers!.some((e) => e.nopasswd && e.commands.includes('ALL'))));
  tally.add('linux-sudo-no-wildcard-commands', 'pass');
  // No /var/tmp mount is generated, and /dev/shm lacks noexec: every server fails.
  tally.add('linux-user-writable-mounts-noexec', 'fail');
}
