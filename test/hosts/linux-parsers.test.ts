import test from 'ava';
import {
  classifyAwsCredentials,
  classifyAzureTokenCache,
  classifyGoogleCredentials,
} from '../../src/providers/linux/credentials.js';
import { BundleHostFiles } from '../../src/providers/linux/host-files.js';
import { parseMountTable, userWritableMounts } from '../../src/providers/linux/mounts.js';
import { readPermitRootLogin } from '../../src/providers/linux/sshd.js';
import { parseSudoers, readSudoers } from '../../src/providers/linux/sudoers.js';

function files(tree: Record<string, string>, dirs: Record<string, string[]> = {}) {
  return new BundleHostFiles([
    ...Object.entries(tree).map(([origin, body]) => ({ kind: 'linux.file', origin, body })),
    ...Object.entries(dirs).map(([origin, body]) => ({ kind: 'linux.dir', origin, body })),
  ]);
}

test('sudoers: continuation lines, comments, numeric ids and several host groups', (t) => {
  const parsed = parseSudoers(
    [
      '# comment',
      'alice, bob  ALL = (root) /usr/bin/a, \\',
      '  /usr/bin/b  # trailing comment',
      '#1001 ALL=(ALL) NOPASSWD: ALL',
      'carol web = /bin/ls : db = NOPASSWD: /bin/cat',
    ].join('\n'),
    '/etc/sudoers',
  );
  t.deepEqual(
    parsed.specs.map((s) => [s.who, s.hosts, s.runAs, s.commands, s.nopasswd]),
    [
      ['alice,bob', 'ALL', 'root', ['/usr/bin/a', '/usr/bin/b'], false],
      ['#1001', 'ALL', 'ALL', ['ALL'], true],
      ['carol', 'web', 'root', ['/bin/ls'], false],
      ['carol', 'db', 'root', ['/bin/cat'], true],
    ],
  );
});

test('sudoers: include paths resolve against the including file, #include and @include alike', (t) => {
  const parsed = parseSudoers(
    '#include sudoers.local\n@includedir /etc/sudoers.d\n#includedir "/opt/sudo rules"\n',
    '/etc/sudoers',
  );
  t.deepEqual(parsed.includes, [
    { path: '/etc/sudoers.local', dir: false },
    { path: '/etc/sudoers.d', dir: true },
    { path: '/opt/sudo rules', dir: true },
  ]);
});

test('sudoers: Defaults !authenticate makes grants passwordless, globally or per user (and alias)', (t) => {
  const global = readSudoers(files({ '/etc/sudoers': 'Defaults !authenticate\n%wheel ALL=(ALL) ALL\n' }));
  t.true(global.entries[0]!.nopasswd);
  const perUser = readSudoers(
    files({
      '/etc/sudoers':
        'User_Alias CI = jenkins, gitlab\nDefaults:CI !authenticate\njenkins ALL=(ALL) ALL\nalice ALL=(ALL) ALL\n',
    }),
  );
  t.deepEqual(
    perUser.entries.map((e) => [e.who, e.nopasswd]),
    [
      ['jenkins', true],
      ['alice', false],
    ],
  );
  const reset = readSudoers(
    files({ '/etc/sudoers': 'Defaults !authenticate\nDefaults authenticate\nalice ALL=(ALL) ALL\n' }),
  );
  t.false(reset.entries[0]!.nopasswd);
});

test('sudoers: a Cmnd_Alias that is ALL is seen as ALL; loops between aliases stop', (t) => {
  const { entries } = readSudoers(
    files({
      '/etc/sudoers':
        'Cmnd_Alias EVERYTHING = ALL\nCmnd_Alias A = B\nCmnd_Alias B = A\nci ALL = NOPASSWD: EVERYTHING\nops ALL = A\n',
    }),
  );
  t.deepEqual(entries[0]!.commands, ['ALL']);
  t.is(entries[1]!.commands.length, 1);
});

test('sudoers: an include cycle is read once; a missing #include is a gap, a missing /etc/sudoers is not', (t) => {
  const cyclic = readSudoers(files({ '/etc/sudoers': '@include /etc/sudoers\nroot ALL=(ALL) ALL\n' }));
  t.is(cyclic.entries.length, 1);
  t.deepEqual(
    readSudoers(files({ '/etc/sudoers': '@include /etc/sudoers.local\n' })).gaps.map((g) => g.what),
    ['linux.sudoers'],
  );
  const none = readSudoers(files({}));
  t.deepEqual([none.entries, none.gaps, none.present], [[], [], false]);
});

test('sudoers.d: editor backups and names with a dot are skipped, others read in sorted order', (t) => {
  const { entries } = readSudoers(
    files(
      {
        '/etc/sudoers': '@includedir /etc/sudoers.d\n',
        '/etc/sudoers.d/b': 'b ALL=ALL\n',
        '/etc/sudoers.d/a': 'a ALL=ALL\n',
        '/etc/sudoers.d/a~': 'x ALL=ALL\n',
        '/etc/sudoers.d/c.rpmsave': 'y ALL=ALL\n',
      },
      { '/etc/sudoers.d': ['b', 'a~', 'c.rpmsave', 'a'] },
    ),
  );
  t.deepEqual(
    entries.map((e) => e.who),
    ['a', 'b'],
  );
});

test('sshd: the first value wins, keywords are case-insensitive, key=value works, the default applies', (t) => {
  t.like(readPermitRootLogin(files({ '/etc/ssh/sshd_config': 'permitrootlogin=no\nPermitRootLogin yes\n' })), {
    value: 'no',
    source: '/etc/ssh/sshd_config',
  });
  t.like(readPermitRootLogin(files({ '/etc/ssh/sshd_config': 'Port 22\n' })), { value: undefined, present: true });
  t.like(readPermitRootLogin(files({})), { present: false });
  t.like(
    readPermitRootLogin(
      files({
        '/etc/ssh/sshd_config': 'Match Address 10.0.0.0/8\n PermitRootLogin yes\nMatch all\nPermitRootLogin no\n',
      }),
    ),
    { value: 'no' },
  );
  const relative = files(
    {
      '/etc/ssh/sshd_config': 'Include conf.d/*.conf\n',
      '/etc/ssh/conf.d/b.conf': 'PermitRootLogin no\n',
      '/etc/ssh/conf.d/a.conf': 'PermitRootLogin forced-commands-only\n',
      '/etc/ssh/conf.d/x.txt': 'PermitRootLogin yes\n',
    },
    { '/etc/ssh/conf.d': ['x.txt', 'b.conf', 'a.conf'] },
  );
  t.like(readPermitRootLogin(relative), { value: 'forced-commands-only', source: '/etc/ssh/conf.d/a.conf' });
});

test('mounts: escaped fields, the deepest mount holds a path, the last of equal mounts wins', (t) => {
  const table = parseMountTable(
    '/dev/sda1 / ext4 rw 0 0\ntmpfs /tmp tmpfs rw,nosuid 0 0\ntmpfs /tmp tmpfs rw,noexec 0 0\n/dev/sdb /home/my\\040files ext4 rw 0 0\n',
  );
  t.is(table[3]!.mountPoint, '/home/my files');
  const mounts = userWritableMounts(table, 'mounted');
  t.deepEqual(
    mounts.map((m) => [m.path, m.mountPoint, m.options]),
    [
      ['/tmp', '/tmp', ['rw', 'noexec']],
      ['/var/tmp', '/', ['rw']],
      ['/dev/shm', '/', ['rw']],
      ['/home', '/', ['rw']],
    ],
  );
  t.deepEqual(userWritableMounts(parseMountTable('/dev/sda2 none swap sw 0 0\n'), 'fstab'), []);
});

test('AWS credentials: static keys are long-lived, session credentials short-lived, only profile names kept', (t) => {
  const found = classifyAwsCredentials(
    '[default]\naws_access_key_id=AKIAEXAMPLE\naws_secret_access_key=s\n[profile temp]\naws_access_key_id = ASIAEXAMPLE\naws_session_token = t\n; [old]\n[sso]\nsso_start_url = https://x\n',
  );
  t.deepEqual(found, [
    { tool: 'aws', kind: 'long-lived', detail: 'static access key in profile(s) default' },
    { tool: 'aws', kind: 'short-lived', detail: 'session credentials in profile(s) temp' },
  ]);
  t.false(JSON.stringify(found).includes('EXAMPLE'));
  t.deepEqual(classifyAwsCredentials('[default]\nregion = eu-west-1\n'), []);
});

test('Google and Azure credential files are classified by their type, malformed ones skipped', (t) => {
  t.is(classifyGoogleCredentials('{"type":"service_account","private_key":"-----BEGIN"}')!.kind, 'long-lived');
  t.is(classifyGoogleCredentials('{"type":"external_account","audience":"//iam"}')!.kind, 'short-lived');
  t.is(
    classifyGoogleCredentials(
      '{"type":"impersonated_service_account","source_credentials":{"type":"authorized_user"}}',
    )!.kind,
    'long-lived',
  );
  t.is(classifyGoogleCredentials('not json'), undefined);
  t.is(classifyAzureTokenCache('{"AccessToken":{"a":{}},"RefreshToken":{}}')!.kind, 'short-lived');
  t.is(classifyAzureTokenCache('{"RefreshToken":{"r":{}}}')!.kind, 'long-lived');
});
