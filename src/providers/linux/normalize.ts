import type { Gap, Host, Source, SnapshotPart } from '../../snapshot/model.js';
import { hostsPart, unreadCredentialsGap } from '../hosts/part.js';
import { ItemLedger } from '../cloud/ledger.js';
import type { RawBundle, RawDocument } from '../types.js';
import { BundleHostFiles, type HostFiles } from './host-files.js';
import { parseMountTable, userWritableMounts } from './mounts.js';
import { readPermitRootLogin, SSHD_DEFAULT_PERMIT_ROOT_LOGIN } from './sshd.js';
import { readSudoers } from './sudoers.js';

/** Groups whose members may become root through the stock sudoers of Debian/Ubuntu (sudo, admin) and RHEL/SUSE (wheel). */
const PRIVILEGED_GROUPS = ['sudo', 'wheel', 'admin'];

type Obj = Record<string, unknown>;

function gapFor(files: HostFiles, path: string, what: string): Gap | undefined {
  const read = files.read(path);
  return 'error' in read ? { what, reason: `${path} could not be read: ${read.error}`, call: path } : undefined;
}

function firstLine(files: HostFiles, path: string): string | undefined {
  const read = files.read(path);
  return 'text' in read ? read.text.trim().split(/\r?\n/)[0]?.trim() : undefined;
}

function mounts(files: HostFiles, host: Host, gaps: Gap[]): void {
  const live = files.read('/proc/self/mounts');
  if ('text' in live) {
    host.mounts = userWritableMounts(parseMountTable(live.text), 'mounted');
    return;
  }
  const fstab = files.read('/etc/fstab');
  if ('text' in fstab) {
    // Configured, not necessarily mounted: good enough to judge, and the origin says so. systemd mounts /dev/shm
    // without fstab, so unless fstab names it, its options are unknown (a gap, unless the others fail anyway).
    const configured = userWritableMounts(parseMountTable(fstab.text), 'fstab');
    host.mounts = configured.filter((m) => m.path !== '/dev/shm' || m.mountPoint === '/dev/shm');
    if (host.mounts.length > 0) {
      const othersPass = host.mounts.filter((m) => m.path !== '/home').every((m) => m.options.includes('noexec'));
      if (!host.mounts.some((m) => m.path === '/dev/shm') && othersPass) {
        gaps.push({
          what: 'linux.mounts',
          reason: '/dev/shm is not in /etc/fstab and /proc/self/mounts is not there to tell how it is mounted',
          call: '/proc/self/mounts',
        });
      }
      return;
    }
  }
  delete host.mounts;
  const why = 'error' in live ? live.error : 'missing';
  gaps.push({
    what: 'linux.mounts',
    reason: `no mount table: /proc/self/mounts ${why}, and /etc/fstab has no usable entry`,
    call: '/proc/self/mounts',
  });
}

/** SELinux from the running kernel (selinuxfs), else its boot configuration; AppArmor from its module; fapolicyd from the process list. */
function mac(files: HostFiles, documents: RawDocument[], host: Host, gaps: Gap[]): void {
  const unread = [
    '/sys/fs/selinux/enforce',
    '/etc/selinux/config',
    '/sys/module/apparmor/parameters/enabled',
    '/etc/fapolicyd/fapolicyd.conf',
  ]
    .map((p) => gapFor(files, p, 'linux.mac'))
    .filter((g): g is Gap => g !== undefined);
  gaps.push(...unread);
  const enforce = firstLine(files, '/sys/fs/selinux/enforce');
  const config = files.read('/etc/selinux/config');
  const configured = 'text' in config ? /^\s*SELINUX\s*=\s*(\w+)/m.exec(config.text)?.[1]?.toLowerCase() : undefined;
  let selinux: string | null;
  if (enforce === '1') selinux = 'enforcing';
  else if (enforce === '0') selinux = 'permissive';
  // Configured but selinuxfs absent: the running kernel does not enforce it.
  else if (configured) selinux = 'disabled';
  else selinux = 'not-present';
  const apparmorFlag = firstLine(files, '/sys/module/apparmor/parameters/enabled');
  const apparmor = apparmorFlag === undefined ? 'not-present' : /^y/i.test(apparmorFlag) ? 'enabled' : 'disabled';
  const processes = documents.find((d) => d.kind === 'linux.processes')?.body as Obj | undefined;
  const running = processes?.fapolicyd;
  const conf = files.read('/etc/fapolicyd/fapolicyd.conf');
  const permissive = 'text' in conf && /^\s*permissive\s*=\s*1/m.test(conf.text);
  const fapolicyd =
    running === true
      ? permissive
        ? 'permissive'
        : 'active'
      : running === false
        ? 'text' in conf
          ? 'inactive'
          : 'not-present'
        : null;
  host.mac = { selinux, apparmor, fapolicyd };
  if (selinux === 'enforcing' || apparmor === 'enabled' || fapolicyd === 'active') host.mac.enforcing = true;
  else if (unread.length === 0 && fapolicyd !== null) host.mac.enforcing = false;
}

function groups(files: HostFiles, host: Host, gaps: Gap[]): void {
  const read = files.read('/etc/group');
  if (!('text' in read)) {
    gaps.push({
      what: 'linux.groups',
      reason: `/etc/group ${'error' in read ? `could not be read: ${read.error}` : 'is missing'}`,
      call: '/etc/group',
    });
    return;
  }
  host.privilegedGroups = [];
  for (const line of read.text.split(/\r?\n/)) {
    const [name, , , members] = line.split(':');
    if (name && PRIVILEGED_GROUPS.includes(name))
      host.privilegedGroups.push({
        name,
        members: (members ?? '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      });
  }
}

function normalizeBundle(bundle: RawBundle): { host: Host; source: Source } {
  const files = new BundleHostFiles(bundle.documents);
  const gaps: Gap[] = [...bundle.gaps];
  const host: Host = {
    uid: `linux:host/${bundle.scope.id}`,
    provider: 'linux',
    scope: bundle.scope,
    os: 'linux',
    name: bundle.scope.name ?? bundle.scope.id,
  };
  const release = files.read('/etc/os-release');
  if ('text' in release) {
    const pretty = /^PRETTY_NAME=["']?([^"'\n]*)/m.exec(release.text)?.[1];
    if (pretty) host.osVersion = pretty;
  }
  mounts(files, host, gaps);

  const sudo = readSudoers(files);
  gaps.push(...sudo.gaps);
  // With a gap the grants are only partly known: listing the known ones would let a check pass on half the data.
  if (sudo.gaps.length === 0) host.sudoers = sudo.entries;
  const details: Obj = { sudo: sudo.present ? 'installed' : 'no /etc/sudoers' };

  mac(files, bundle.documents, host, gaps);

  const ssh = readPermitRootLogin(files);
  gaps.push(...ssh.gaps);
  if (ssh.gaps.length > 0) host.ssh = { permitRootLogin: 'unknown' };
  else if (ssh.present)
    host.ssh = ssh.value
      ? { permitRootLogin: ssh.value, source: ssh.source! }
      : { permitRootLogin: SSHD_DEFAULT_PERMIT_ROOT_LOGIN, source: 'default' };
  else details.sshd = 'no /etc/ssh/sshd_config';

  groups(files, host, gaps);

  const tools = bundle.documents.find((d) => d.kind === 'linux.cloud-tools');
  if (tools && Array.isArray(tools.body))
    host.cloudTools = (tools.body as unknown[])
      .filter((t): t is Obj => t !== null && typeof t === 'object')
      .map((t) => ({ tool: String(t.tool), path: String(t.path), version: null }));
  else gaps.push({ what: 'linux.cloud-tools', reason: 'the bundle has no cloud tool inventory' });

  const creds = bundle.documents.find((d) => d.kind === 'linux.cloud-credentials')?.body as Obj | undefined;
  if (creds && Array.isArray(creds.files)) {
    host.cloudCredentials = (creds.files as unknown[])
      .filter((f): f is Obj => f !== null && typeof f === 'object')
      .map((f) => ({
        tool: String(f.tool),
        path: String(f.path),
        kind: f.kind === 'short-lived' ? 'short-lived' : 'long-lived',
        ...(typeof f.detail === 'string' ? { detail: f.detail } : {}),
      }));
    const unreadable = Array.isArray(creds.unreadable) ? (creds.unreadable as unknown[]).map(String) : [];
    const gap = unreadCredentialsGap(
      host,
      unreadable,
      'linux.cloud-credentials',
      (shown) => `could not read ${shown}`,
      'home folders',
    );
    if (gap) gaps.push(gap);
  } else {
    gaps.push({ what: 'linux.cloud-credentials', reason: 'the bundle has no cloud credential scan' });
  }
  host.details = details;
  const unique = gaps.filter((g, i) => gaps.findIndex((o) => o.what === g.what && o.reason === g.reason) === i);
  const source: Source = {
    provider: 'linux',
    scope: bundle.scope,
    method: bundle.method,
    collectedAt: bundle.collectedAt,
    gaps: unique,
  };
  return { host, source: linuxItemLedger(bundle, files).settle(source) };
}

/**
 * A Linux bundle's items are its documents: the host files and folders (used when a parser read them, skipped when
 * none did), the unreadable paths (used: each is a gap or a finding's context) and the inventories.
 */
function linuxItemLedger(bundle: RawBundle, files: BundleHostFiles): ItemLedger {
  const ledger = new ItemLedger();
  for (const doc of bundle.documents) {
    const origin = bundle.origin ?? doc.origin;
    if (doc.kind === 'linux.cloud-tools' || doc.kind === 'linux.cloud-credentials') {
      const list = doc.kind === 'linux.cloud-tools' ? doc.body : (doc.body as Obj | undefined)?.files;
      const n = Array.isArray(list) ? list.length : 0;
      ledger.read(origin, n).used(origin, n);
    } else if (doc.kind === 'linux.processes') ledger.read(origin).used(origin);
    else {
      ledger.read(origin);
      if (files.asked.has(doc.origin)) ledger.used(origin);
      else ledger.skipped(origin, `${doc.origin} (collected; no check needed it on this host)`);
    }
  }
  return ledger;
}

/** Pure: Linux host bundles (live or imported) to snapshot hosts and sources. */
export function normalizeLinux(bundles: RawBundle[]): SnapshotPart {
  return hostsPart(bundles, normalizeBundle);
}
