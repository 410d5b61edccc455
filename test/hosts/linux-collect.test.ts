import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { UserError } from '../../src/errors.js';
import { linuxAdapter } from '../../src/providers/linux/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import { BUILD_AGENT, SECRETS, buildRoot, removeRoot, type Tree } from './fake-root.js';
import { importContext } from './helpers.js';

async function collect(
  t: import('ava').ExecutionContext,
  tree: Tree,
  options: Record<string, unknown> = {},
): Promise<{ root: string; bundle: RawBundle }> {
  const root = await buildRoot(tree);
  t.teardown(() => removeRoot(root));
  const [bundle] = await linuxAdapter.collect!({ options: { root, ...options }, progress: importContext().progress });
  return { root, bundle: bundle! };
}

function normalize(bundle: RawBundle) {
  const part = linuxAdapter.normalize([bundle]);
  return { host: part.hosts[0]!, gaps: part.sources[0]!.gaps };
}

test('a build agent read under a fake root', async (t) => {
  const { bundle } = await collect(t, BUILD_AGENT);
  const { host, gaps } = normalize(bundle);
  t.deepEqual(gaps, []);
  t.is(host.uid, 'linux:host/build-07');
  t.is(host.osVersion, 'Ubuntu 22.04.4 LTS');
  t.deepEqual(
    host.mounts!.map((m) => [m.path, m.mountPoint, m.options.includes('noexec')]),
    [
      ['/tmp', '/tmp', true],
      ['/var/tmp', '/', false],
      ['/dev/shm', '/dev/shm', false],
      ['/home', '/home', false],
    ],
  );
  t.deepEqual(host.mac, { selinux: 'not-present', apparmor: 'enabled', fapolicyd: 'not-present', enforcing: true });
  t.deepEqual(host.ssh, { permitRootLogin: 'prohibit-password', source: 'default' });
  t.deepEqual(host.privilegedGroups, [{ name: 'sudo', members: ['ubuntu', 'ops'] }]);
  t.deepEqual(host.cloudTools, [
    { tool: 'aws', path: '/usr/bin/aws', version: null },
    { tool: 'pwsh', path: '/usr/local/bin/pwsh', version: null },
  ]);
});

test('sudoers: includes are followed in order, files with a dot are skipped, aliases and tags resolved', async (t) => {
  const { bundle } = await collect(t, BUILD_AGENT);
  const { host } = normalize(bundle);
  t.deepEqual(
    host.sudoers!.map((e) => [e.who, e.runAs, e.commands, e.nopasswd, e.source]),
    [
      ['root', 'ALL:ALL', ['ALL'], false, '/etc/sudoers'],
      ['%admin', 'ALL', ['ALL'], false, '/etc/sudoers'],
      ['%sudo', 'ALL:ALL', ['ALL'], false, '/etc/sudoers'],
      [
        'deploy',
        'root',
        ['/usr/bin/systemctl restart app', '/usr/bin/systemctl restart worker'],
        true,
        '/etc/sudoers.d/50-deploy',
      ],
      ['deploy', 'root', ['/usr/bin/journalctl *'], false, '/etc/sudoers.d/50-deploy'],
      ['ci', 'ALL', ['ALL'], true, '/etc/sudoers.d/90-ci'],
    ],
  );
  t.true(host.sudoers!.find((e) => e.commands.includes('/usr/bin/journalctl *'))!.wildcard);
});

test('cloud credentials are reported by path and kind; no key, token or key id is kept anywhere', async (t) => {
  const out = join(await buildRoot({}), 'bundle.json');
  t.teardown(() => removeRoot(join(out, '..')));
  const { bundle } = await collect(t, BUILD_AGENT, { bundleOut: out });
  const { host } = normalize(bundle);
  t.deepEqual(host.cloudCredentials, [
    {
      tool: 'gcloud',
      path: '/root/.config/gcloud/application_default_credentials.json',
      kind: 'long-lived',
      detail: 'user refresh token (application default credentials)',
    },
    {
      tool: 'aws',
      path: '/home/ci/.aws/credentials',
      kind: 'long-lived',
      detail: 'static access key in profile(s) default',
    },
    {
      tool: 'aws',
      path: '/home/ci/.aws/credentials',
      kind: 'short-lived',
      detail: 'session credentials in profile(s) sandbox',
    },
    {
      tool: 'az',
      path: '/home/ubuntu/.azure/msal_token_cache.json',
      kind: 'long-lived',
      detail: 'refresh tokens (MSAL token cache)',
    },
  ]);
  const written = await readFile(out, 'utf8');
  for (const secret of SECRETS) {
    t.false(written.includes(secret), `bundle file holds ${secret}`);
    t.false(JSON.stringify(bundle).includes(secret), `bundle holds ${secret}`);
    t.false(JSON.stringify(host).includes(secret), `host holds ${secret}`);
  }
});

test('collect --bundle-out then import gives back the same host', async (t) => {
  const dir = await buildRoot({});
  t.teardown(() => removeRoot(dir));
  const out = join(dir, 'out', 'build-07.json');
  const { bundle } = await collect(t, BUILD_AGENT, { bundleOut: out });
  const imported = await linuxAdapter.importFiles([out], importContext());
  t.is(imported[0]!.method, 'import');
  t.deepEqual(normalize(imported[0]!).host, normalize(bundle).host);
  t.deepEqual(normalize(imported[0]!).gaps, normalize(bundle).gaps);
  const snapshot = assembleSnapshot([linuxAdapter.normalize(imported)], imported[0]!.collectedAt);
  t.is(snapshot.hosts.length, 1);
});

test('a sudoers file that cannot be read is a linux.sudoers gap and no grants are listed', async (t) => {
  // Root reads any file whatever its mode, so unreadability is made real: a folder stands where a file must be.
  const { bundle } = await collect(t, { ...BUILD_AGENT, '/etc/sudoers.d/90-ci': { dir: true } });
  const { host, gaps } = normalize(bundle);
  t.is(host.sudoers, undefined);
  t.deepEqual(gaps, [
    {
      what: 'linux.sudoers',
      reason: '/etc/sudoers.d/90-ci could not be read: is a directory, not a file',
      call: '/etc/sudoers.d/90-ci',
    },
  ]);
});

// As root a mode of 000 stops nothing, so this one runs only for other users (the folder trick above runs for all).
(process.getuid?.() === 0 ? test.skip : test)(
  'a sudoers file without read permission is a permission-denied gap',
  async (t) => {
    const root = await buildRoot(BUILD_AGENT);
    t.teardown(() => removeRoot(root));
    await chmod(join(root, '/etc/sudoers.d/90-ci'), 0);
    const [bundle] = await linuxAdapter.collect!({ options: { root }, progress: importContext().progress });
    t.deepEqual(
      normalize(bundle!).gaps.map((g) => g.reason),
      ['/etc/sudoers.d/90-ci could not be read: permission denied'],
    );
  },
);

test('an included folder that cannot be listed is a gap', async (t) => {
  const { bundle } = await collect(t, {
    ...BUILD_AGENT,
    '/etc/sudoers.d/90-ci': 'x',
    '/etc/sudoers': '@includedir /etc/sudoers.d/90-ci\n',
  });
  t.deepEqual(
    normalize(bundle).gaps.map((g) => [g.what, g.reason]),
    [['linux.sudoers', '/etc/sudoers.d/90-ci could not be listed: is not a directory']],
  );
});

test('a symlink loop is unreadable too (linux.mounts gap when fstab does not help)', async (t) => {
  const tree: Tree = { ...BUILD_AGENT, '/proc/self/mounts': { link: 'mounts' } };
  delete tree['/etc/fstab'];
  const { bundle } = await collect(t, tree);
  const { host, gaps } = normalize(bundle);
  t.is(host.mounts, undefined);
  t.is(gaps[0]?.what, 'linux.mounts');
  t.regex(gaps[0]!.reason, /symbolic link loop/);
});

test('symbolic links are followed inside the root, never out to the machine running the collector', async (t) => {
  const { bundle } = await collect(t, {
    ...BUILD_AGENT,
    // An image's absolute link must resolve in the image: this machine's /etc/passwd must not be read.
    '/etc/fstab': { link: '/etc/passwd' },
    '/etc/sudoers.d/90-ci': { link: '/opt/rules/ci' },
    '/opt/rules/ci': 'ci ALL=(ALL) NOPASSWD: ALL\n',
    '/etc/ssh/sshd_config.d/50-cloud-init.conf': { link: '../../../ssh-extra/root.conf' },
    '/ssh-extra/root.conf': 'PermitRootLogin no\n',
  });
  t.false(JSON.stringify(bundle).includes('root:x:0:0'));
  const { host, gaps } = normalize(bundle);
  t.deepEqual(gaps, []);
  t.true(host.sudoers!.some((e) => e.who === 'ci' && e.source === '/etc/sudoers.d/90-ci'));
  t.deepEqual(host.ssh, { permitRootLogin: 'no', source: '/etc/ssh/sshd_config.d/50-cloud-init.conf' });
});

test('without /proc/self/mounts the configured /etc/fstab is used and says so', async (t) => {
  const tree: Tree = {
    ...BUILD_AGENT,
    '/etc/fstab':
      '# <fs> <mount> <type> <options>\nUUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs defaults,noexec,nosuid 0 0\n',
  };
  delete tree['/proc/self/mounts'];
  const { bundle } = await collect(t, tree);
  const { host, gaps } = normalize(bundle);
  t.deepEqual(host.mounts![0], {
    path: '/tmp',
    mountPoint: '/tmp',
    device: 'tmpfs',
    fstype: 'tmpfs',
    options: ['defaults', 'noexec', 'nosuid'],
    origin: 'fstab',
  });
  // /var/tmp is on / without noexec, so the check fails anyway; /dev/shm (not in fstab) is left out, not guessed.
  t.false(host.mounts!.some((m) => m.path === '/dev/shm'));
  t.deepEqual(gaps, []);
});

test('from fstab alone, an unlisted /dev/shm is a gap when everything listed is noexec', async (t) => {
  const tree: Tree = {
    ...BUILD_AGENT,
    '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs noexec 0 0\ntmpfs /var/tmp tmpfs noexec 0 0\n',
  };
  delete tree['/proc/self/mounts'];
  const { bundle } = await collect(t, tree);
  t.deepEqual(
    normalize(bundle).gaps.map((g) => g.what),
    ['linux.mounts'],
  );
});

test('SELinux from selinuxfs, permissive from config alone is disabled at run time, fapolicyd from the process list', async (t) => {
  const base: Tree = { ...BUILD_AGENT };
  delete base['/sys/module/apparmor/parameters/enabled'];
  const enforcing = await collect(t, {
    ...base,
    '/sys/fs/selinux/enforce': '1',
    '/etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=targeted\n',
  });
  t.like(normalize(enforcing.bundle).host.mac, { selinux: 'enforcing', enforcing: true });
  const permissive = await collect(t, {
    ...base,
    '/sys/fs/selinux/enforce': '0',
    '/etc/selinux/config': 'SELINUX=permissive\n',
  });
  t.like(normalize(permissive.bundle).host.mac, { selinux: 'permissive', apparmor: 'not-present', enforcing: false });
  const configOnly = await collect(t, { ...base, '/etc/selinux/config': 'SELINUX=enforcing\n' });
  t.like(normalize(configOnly.bundle).host.mac, { selinux: 'disabled', enforcing: false });
  const fapolicyd = await collect(t, {
    ...base,
    '/proc/977/comm': 'fapolicyd\n',
    '/etc/fapolicyd/fapolicyd.conf': 'permissive = 0\n',
  });
  t.like(normalize(fapolicyd.bundle).host.mac, { fapolicyd: 'active', enforcing: true });
  const unreadable = await collect(t, { ...base, '/sys/fs/selinux/enforce': { dir: true } });
  const judged = normalize(unreadable.bundle);
  t.is(judged.host.mac!.enforcing, undefined);
  t.deepEqual(
    judged.gaps.map((g) => g.what),
    ['linux.mac'],
  );
});

test('sshd: a drop-in read through Include wins over the main file; Match blocks are ignored', async (t) => {
  const { bundle } = await collect(t, {
    ...BUILD_AGENT,
    '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PermitRootLogin without-password\n',
    '/etc/ssh/sshd_config.d/60-root.conf': 'PermitRootLogin yes\n',
  });
  t.deepEqual(normalize(bundle).host.ssh, {
    permitRootLogin: 'prohibit-password',
    source: '/etc/ssh/sshd_config.d/50-cloud-init.conf',
  });
});

test('sshd: an unreadable drop-in makes permitRootLogin unknown with a linux.sshd gap', async (t) => {
  const { bundle } = await collect(t, { ...BUILD_AGENT, '/etc/ssh/sshd_config.d/50-cloud-init.conf': { dir: true } });
  const { host, gaps } = normalize(bundle);
  t.deepEqual(host.ssh, { permitRootLogin: 'unknown' });
  t.deepEqual(
    gaps.map((g) => g.what),
    ['linux.sshd'],
  );
});

test('an unreadable credential file with nothing long-lived found is a gap', async (t) => {
  const tree: Tree = { ...BUILD_AGENT, '/home/ci/.aws/credentials': { dir: true } };
  delete tree['/home/ubuntu/.azure/msal_token_cache.json'];
  delete tree['/root/.config/gcloud/application_default_credentials.json'];
  const { bundle } = await collect(t, tree);
  const { host, gaps } = normalize(bundle);
  t.deepEqual(host.cloudCredentials, []);
  t.deepEqual(gaps, [
    {
      what: 'linux.cloud-credentials',
      reason: 'could not read /home/ci/.aws/credentials (is a directory, not a file)',
      call: 'home folders',
    },
  ]);
});

test('a host without /etc/hostname needs --host-name; a missing root is a UserError', async (t) => {
  const tree: Tree = { ...BUILD_AGENT };
  delete tree['/etc/hostname'];
  const root = await buildRoot(tree);
  t.teardown(() => removeRoot(root));
  const progress = importContext().progress;
  await t.throwsAsync(linuxAdapter.collect!({ options: { root }, progress }), {
    instanceOf: UserError,
    message: /cannot tell the host name/,
  });
  const [bundle] = await linuxAdapter.collect!({ options: { root, hostName: 'Agent-9' }, progress });
  t.deepEqual(bundle!.scope, { kind: 'host', id: 'agent-9', name: 'Agent-9' });
  await t.throwsAsync(linuxAdapter.collect!({ options: { root: join(root, 'nope') }, progress }), {
    instanceOf: UserError,
    message: /root directory not found/,
  });
});

test('the live machine can be read without error and yields a valid snapshot part', async (t) => {
  const [bundle] = await linuxAdapter.collect!({ options: {}, progress: importContext().progress });
  const part = linuxAdapter.normalize([bundle!]);
  t.notThrows(() => assembleSnapshot([part], bundle!.collectedAt));
  t.is(part.hosts[0]!.os, 'linux');
});
