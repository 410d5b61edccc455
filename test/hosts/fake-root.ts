import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file tree for a fake host: path -> content; a value of `{ dir: true }` makes an empty folder, `{ link }` a symlink. */
export type Tree = Record<string, string | { dir: true } | { link: string }>;

/** Builds a host root in a temp folder; the caller removes it. */
export async function buildRoot(tree: Tree): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cloudward-root-'));
  for (const [path, content] of Object.entries(tree)) {
    const real = join(root, path);
    await mkdir(dirname(real), { recursive: true });
    if (typeof content === 'string') await writeFile(real, content);
    else if ('dir' in content) await mkdir(real, { recursive: true });
    else await symlink(content.link, real);
  }
  return root;
}

export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** A build agent much like examples/acme: /tmp noexec, /dev/shm not, a NOPASSWD ALL rule, AppArmor, a static AWS key. */
export const BUILD_AGENT: Tree = {
  '/etc/hostname': 'build-07\n',
  '/etc/os-release': 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n',
  '/proc/self/mounts': [
    '/dev/sda1 / ext4 rw,relatime,discard 0 0',
    'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
    'tmpfs /dev/shm tmpfs rw,nosuid,nodev,inode64 0 0',
    'tmpfs /tmp tmpfs rw,nosuid,nodev,noexec,relatime,size=2097152k 0 0',
    '/dev/sda3 /home ext4 rw,nosuid,nodev,relatime 0 0',
    '',
  ].join('\n'),
  '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\n',
  '/etc/sudoers': [
    '#',
    "# This file MUST be edited with the 'visudo' command as root.",
    'Defaults\tenv_reset',
    'Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
    '# User privilege specification',
    'root\tALL=(ALL:ALL) ALL',
    '%admin ALL=(ALL) ALL',
    '%sudo\tALL=(ALL:ALL) ALL',
    '@includedir /etc/sudoers.d',
    '',
  ].join('\n'),
  '/etc/sudoers.d/README':
    '# As of Debian version 1.7.2p1-1, the default /etc/sudoers file created on\n# installation of the package now includes the directive:\n#\n#\t#includedir /etc/sudoers.d\n',
  '/etc/sudoers.d/90-ci': 'ci ALL=(ALL) NOPASSWD: ALL\n',
  '/etc/sudoers.d/50-deploy':
    'Cmnd_Alias RESTART = /usr/bin/systemctl restart app, /usr/bin/systemctl restart worker\ndeploy ALL = (root) NOPASSWD: RESTART, PASSWD: /usr/bin/journalctl *\n',
  '/etc/sudoers.d/ci.disabled': 'nobody ALL=(ALL) NOPASSWD: ALL\n',
  '/sys/module/apparmor/parameters/enabled': 'Y\n',
  '/etc/ssh/sshd_config':
    'Include /etc/ssh/sshd_config.d/*.conf\n#PermitRootLogin prohibit-password\nPasswordAuthentication no\nMatch User backup\n    PermitRootLogin yes\n',
  '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication no\n',
  '/etc/group': 'root:x:0:\nsudo:x:27:ubuntu,ops\nadm:x:4:syslog,ubuntu\nci:x:1001:\n',
  '/usr/bin/aws': '#!/bin/sh\n',
  '/usr/local/bin/pwsh': '#!/bin/sh\n',
  '/proc/1/comm': 'systemd\n',
  '/proc/812/comm': 'sshd\n',
  '/home/ci/.aws/credentials':
    '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[sandbox]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = abc\naws_session_token = FwoGZXIvYXdzEXAMPLETOKEN\n',
  '/home/ubuntu/.azure/msal_token_cache.json': JSON.stringify({
    AccessToken: { a: { secret: 'eyJ0eXAiOiJKV1QiEXAMPLE' } },
    RefreshToken: { r: { secret: '0.AREXAMPLEREFRESH' } },
  }),
  '/root/.config/gcloud/application_default_credentials.json': JSON.stringify({
    type: 'authorized_user',
    client_id: 'x.apps.googleusercontent.com',
    client_secret: 'd-FL95Q19q7MQmFpd7hHD0Ty',
    refresh_token: '1//0gEXAMPLEREFRESHTOKEN',
  }),
};

/** Values from BUILD_AGENT that must never appear in a bundle, a snapshot or an error. */
export const SECRETS = [
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI',
  'ASIAIOSFODNN7EXAMPLE',
  'FwoGZXIvYXdzEXAMPLETOKEN',
  'eyJ0eXAiOiJKV1QiEXAMPLE',
  '0.AREXAMPLEREFRESH',
  'd-FL95Q19q7MQmFpd7hHD0Ty',
  '1//0gEXAMPLEREFRESHTOKEN',
];
