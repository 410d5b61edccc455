import type { Host } from '../src/snapshot/model.js';
import type { Prng } from './prng.js';
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
    conditions: [userWritable ? '%OSDRIVE%\\Users\\*' : rng.pick(['%PROGRAMFILES%\\*', '%WINDIR%\\*', 'O=CONTOSO LTD'])],
    exceptions: [],
  };
}

/** Windows servers (PowerShell, AppLocker, WDAC, local admins) and Linux servers (mounts, sudoers, MAC, SSH). */
export function* hostResources(layout: TenantLayout, rng: Prng): Generator<Host> {
  for (const { name, os } of layout.hosts) {
    const scope = { kind: 'host' as const, id: name, name };
    const cloudTools = rng.chance(0.3) ? [{ tool: rng.pick(['aws', 'az', 'gcloud']), path: os === 'windows' ? 'C:\\Program Files\\cli\\cli.exe' : '/usr/local/bin/cli', version: '2.15.0' }] : [];
    const cloudCredentials = cloudTools.length > 0 && rng.chance(0.4) ? [{ tool: cloudTools[0]!.tool, path: os === 'windows' ? 'C:\\Users\\svc\\.aws\\credentials' : '/home/deploy/.aws/credentials', kind: rng.chance(0.7) ? ('long-lived' as const) : ('short-lived' as const) }] : [];
    if (os === 'windows') {
      const machine = rng.chance(0.6) ? rng.pick(['AllSigned', 'RemoteSigned'] as const) : 'Undefined';
      const local = rng.pick(POLICIES);
      const effective = machine !== 'Undefined' ? machine : local === 'Undefined' ? 'Restricted' : local;
      const enforcement = rng.pick(['NotConfigured', 'AuditOnly', 'Enabled'] as const);
      const collection = (label: string) => {
        const rules = enforcement === 'NotConfigured' ? [] : Array.from({ length: rng.int(1, 4) }, (_, i) => applockerRule(rng, i, label));
        // What the Windows normalizer derives: an allow rule for Everyone over the Users folder leaves it open.
        const open = enforcement === 'NotConfigured' || rules.some((r) => r.action === 'Allow' && r.sid === 'S-1-1-0' && r.conditions[0]!.startsWith('%OSDRIVE%\\Users'));
        return { enforcement, rules, userWritableAllowed: open, userWritableLocations: open ? ['profile', 'temp', 'appdata'] : [] };
      };
      const languageMode = rng.chance(0.15) ? 'ConstrainedLanguage' : 'FullLanguage';
      yield {
        uid: `windows:${name}`, provider: 'windows', scope, os, name, osVersion: rng.pick(['10.0.17763', '10.0.20348', '10.0.26100']),
        powershell: {
          executionPolicies: { MachinePolicy: machine, UserPolicy: 'Undefined', Process: 'Undefined', CurrentUser: 'Undefined', LocalMachine: local },
          effective, effectiveScope: machine !== 'Undefined' ? 'MachinePolicy' : 'LocalMachine',
          languageMode,
          nonAdminLanguageMode: languageMode,
        },
        applocker: { collections: { Exe: collection('Exe'), Script: collection('Script'), Msi: collection('Msi') } },
        wdac: { state: rng.pick(['enforced', 'audit', 'off'] as const), policies: [] },
        asr: { rules: [{ id: 'd1e49aac-8f56-4280-b9ba-993a6d77406c', name: 'Block process creations from PSExec and WMI commands', action: rng.pick(['block', 'audit', 'off'] as const) }] },
        localAdmins: [{ name: 'BUILTIN\\Administrators', sid: 'S-1-5-32-544', kind: 'group' }, ...(rng.chance(0.3) ? [{ name: 'CONTOSO\\helpdesk', kind: 'group' }] : [])],
        cloudTools, cloudCredentials,
      } as Host;
    } else {
      const nopasswd = rng.chance(0.3);
      yield {
        uid: `linux:${name}`, provider: 'linux', scope, os, name, osVersion: rng.pick(['Ubuntu 22.04', 'Ubuntu 24.04', 'RHEL 9.4', 'Debian 12']),
        mounts: [
          { path: '/tmp', device: 'tmpfs', fstype: 'tmpfs', options: rng.chance(0.5) ? ['rw', 'nosuid', 'nodev', 'noexec'] : ['rw', 'nosuid', 'nodev'] },
          { path: '/dev/shm', device: 'tmpfs', fstype: 'tmpfs', options: ['rw', 'nosuid', 'nodev'] },
        ],
        sudoers: [
          { who: '%sudo', runAs: 'ALL', commands: ['ALL'], nopasswd: false, source: '/etc/sudoers' },
          ...(nopasswd ? [{ who: 'deploy', runAs: 'root', commands: [rng.pick(['ALL', '/usr/bin/systemctl restart app'])], nopasswd: true, source: '/etc/sudoers.d/deploy' }] : []),
        ],
        mac: (() => {
          const apparmor = rng.chance(0.7) ? 'enforce' : 'disabled';
          return { selinux: null, apparmor, fapolicyd: null, enforcing: apparmor === 'enforce' };
        })(),
        ssh: { permitRootLogin: rng.pick(['no', 'prohibit-password', 'yes']) },
        privilegedGroups: [{ name: 'sudo', members: ['ops', ...(nopasswd ? ['deploy'] : [])] }],
        cloudTools, cloudCredentials,
      } as Host;
    }
  }
}
