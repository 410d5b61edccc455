import type { Gap, SudoersEntry } from '../../snapshot/model.js';
import { hostDir, hostPath, type HostFiles } from './host-files.js';

/**
 * A small sudoers(5) reader: aliases, Defaults (!authenticate), user specifications with run-as lists and tags,
 * and #include / @include / #includedir / @includedir. No library parses sudoers; this covers the grammar that
 * decides "who may become root, and without a password", and nothing more.
 */

interface Defaults {
  /** `Defaults !authenticate` (or `authenticate`), per binding: '' for global, else the user list after `Defaults:`. */
  binding: string;
  authenticate: boolean;
}

interface Spec {
  who: string;
  hosts: string;
  runAs: string;
  commands: string[];
  nopasswd: boolean;
  source: string;
}

interface ParsedSudoers {
  specs: Spec[];
  defaults: Defaults[];
  aliases: Map<string, string[]>;
  includes: Array<{ path: string; dir: boolean }>;
}

const TAG =
  /^(NOPASSWD|PASSWD|NOEXEC|EXEC|SETENV|NOSETENV|LOG_INPUT|NOLOG_INPUT|LOG_OUTPUT|NOLOG_OUTPUT|MAIL|NOMAIL|FOLLOW|NOFOLLOW|INTERCEPT|NOINTERCEPT)\s*:\s*/;
const OPTION = /^(ROLE|TYPE|CWD|CHROOT|TIMEOUT|NOTBEFORE|NOTAFTER|APPARMOR_PROFILE|PRIVS|LIMITPRIVS)\s*=\s*\S+\s*/;
const ALIAS = /^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\s+(.*)$/;

/** Logical lines: continuations joined, comments dropped (but `#include` and `#1000` user ids kept). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    if (raw.endsWith('\\')) {
      pending += `${raw.slice(0, -1)} `;
      continue;
    }
    let line = pending + raw;
    pending = '';
    const trimmed = line.trim();
    if (/^#include(dir)?\s/.test(trimmed)) {
      out.push(trimmed);
      continue;
    }
    // A comment starts at '#' unless it is a numeric user or group id (#1000, %#100).
    line = line.replace(/(^|[^%\w])#(?!\d).*$/, '$1');
    if (line.trim() !== '') out.push(line.trim());
  }
  if (pending.trim() !== '') out.push(pending.trim());
  return out;
}

function splitList(value: string): string[] {
  return value
    .split(/(?<!\\),/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses one sudoers file. Paths of includes are resolved against the file's own folder, as sudo 1.9 does. */
export function parseSudoers(text: string, source: string): ParsedSudoers {
  const parsed: ParsedSudoers = { specs: [], defaults: [], aliases: new Map(), includes: [] };
  for (const line of logicalLines(text)) {
    const include = /^[#@]include(dir)?\s+(.+)$/.exec(line);
    if (include) {
      const target = include[2]!.trim().replace(/^"(.*)"$/, '$1');
      parsed.includes.push({ path: hostPath(hostDir(source), target), dir: include[1] === 'dir' });
      continue;
    }
    const defaults = /^Defaults([:@>!])?(\S*)\s+(.*)$/.exec(line);
    if (defaults) {
      // Host, run-as and command bindings (@ > !) do not decide who logs in without a password; user ones do.
      const binding = defaults[1] === ':' ? defaults[2]! : defaults[1] ? null : '';
      if (binding === null) continue;
      for (const setting of splitList(defaults[3]!)) {
        if (/^!\s*authenticate$/.test(setting)) parsed.defaults.push({ binding, authenticate: false });
        else if (/^authenticate$/.test(setting)) parsed.defaults.push({ binding, authenticate: true });
      }
      continue;
    }
    const alias = ALIAS.exec(line);
    if (alias) {
      for (const definition of alias[2]!.split(/\s+:\s+/)) {
        const eq = /^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(definition.trim());
        if (eq) parsed.aliases.set(eq[1]!, splitList(eq[2]!));
      }
      continue;
    }
    const spec = /^(.+?)\s*=\s*(.*)$/.exec(line);
    if (!spec) continue;
    const left = spec[1]!
      .replace(/\s*,\s*/g, ',')
      .trim()
      .split(/\s+/);
    if (left.length !== 2) continue;
    const [who, firstHosts] = left as [string, string];
    // `user host = cmds : otherhost = cmds` grants per host group.
    const segments = spec[2]!.split(/\s+:\s+(?=[^=()]+=)/);
    let hosts = firstHosts;
    segments.forEach((segment, index) => {
      let body = segment;
      if (index > 0) {
        const eq = /^(.+?)\s*=\s*(.*)$/.exec(segment);
        if (!eq) return;
        hosts = eq[1]!.trim();
        body = eq[2]!;
      }
      let runAs = 'root';
      let nopasswd = false;
      // Run-as and tags carry over to the following commands; a change starts a new grant.
      let current: Spec | undefined;
      for (const item of splitList(body)) {
        let rest = item;
        const runas = /^\(([^)]*)\)\s*/.exec(rest);
        if (runas) {
          runAs = runas[1]!.trim() || 'root';
          rest = rest.slice(runas[0].length);
        }
        for (let m = TAG.exec(rest) ?? OPTION.exec(rest); m; m = TAG.exec(rest) ?? OPTION.exec(rest)) {
          if (m[1] === 'NOPASSWD') nopasswd = true;
          if (m[1] === 'PASSWD') nopasswd = false;
          rest = rest.slice(m[0].length);
        }
        const command = rest.trim();
        if (!command) continue;
        if (current && current.runAs === runAs && current.nopasswd === nopasswd) {
          current.commands.push(command);
        } else {
          current = { who, hosts, runAs, commands: [command], nopasswd, source };
          parsed.specs.push(current);
        }
      }
    });
  }
  return parsed;
}

/** Cmnd_Alias names replaced by their commands (negations carried), with a guard against alias loops. */
function expandCommands(commands: string[], aliases: Map<string, string[]>, depth = 0): string[] {
  if (depth > 16) return commands;
  return commands.flatMap((command) => {
    const negated = command.startsWith('!');
    const name = negated ? command.slice(1).trim() : command;
    const members = /^[A-Z][A-Z0-9_]*$/.test(name) && name !== 'ALL' ? aliases.get(name) : undefined;
    if (!members) return [command];
    return expandCommands(members, aliases, depth + 1).map((m) => (negated ? `!${m.replace(/^!/, '')}` : m));
  });
}

/** Members of a User_Alias, so `Defaults:ADMINS !authenticate` reaches the users in ADMINS. */
function expandUsers(list: string, aliases: Map<string, string[]>): string[] {
  return splitList(list).flatMap((u) => aliases.get(u) ?? [u]);
}

/** sudo skips included-folder files whose names end in `~` or contain a dot (editor backups, package leftovers). */
function includedFileNames(names: string[]): string[] {
  return names.filter((n) => !n.endsWith('~') && !n.includes('.')).sort();
}

/**
 * Reads /etc/sudoers and everything it includes, in sudo's order, and returns the grants. A file that cannot be
 * read is a `linux.sudoers` gap (the grants it holds are unknown), never an empty list.
 */
export function readSudoers(
  files: HostFiles,
  main = '/etc/sudoers',
): { entries: SudoersEntry[]; gaps: Gap[]; present: boolean } {
  const gaps: Gap[] = [];
  const specs: Spec[] = [];
  const defaults: Defaults[] = [];
  const aliases = new Map<string, string[]>();
  const visiting = new Set<string>();
  let present = false;
  const visit = (path: string, depth: number, required: boolean): void => {
    if (depth > 128 || visiting.has(path)) return;
    const result = files.read(path);
    if ('missing' in result) {
      if (required && depth > 0)
        gaps.push({ what: 'linux.sudoers', reason: `${path} is included but does not exist`, call: path });
      return;
    }
    if ('error' in result) {
      gaps.push({ what: 'linux.sudoers', reason: `${path} could not be read: ${result.error}`, call: path });
      return;
    }
    if (depth === 0) present = true;
    visiting.add(path);
    const parsed = parseSudoers(result.text, path);
    for (const [name, members] of parsed.aliases) aliases.set(name, members);
    defaults.push(...parsed.defaults);
    specs.push(...parsed.specs);
    for (const include of parsed.includes) {
      if (!include.dir) {
        visit(include.path, depth + 1, true);
        continue;
      }
      const listing = files.list(include.path);
      if ('error' in listing)
        gaps.push({
          what: 'linux.sudoers',
          reason: `${include.path} could not be listed: ${listing.error}`,
          call: include.path,
        });
      if ('names' in listing)
        for (const name of includedFileNames(listing.names)) visit(hostPath(include.path, name), depth + 1, false);
    }
    visiting.delete(path);
  };
  visit(main, 0, true);

  // Later Defaults override earlier ones; a user binding beats the global setting.
  let globalAuth = true;
  const userAuth = new Map<string, boolean>();
  for (const d of defaults) {
    if (d.binding === '') globalAuth = d.authenticate;
    else for (const user of expandUsers(d.binding, aliases)) userAuth.set(user, d.authenticate);
  }
  const entries = specs.map((spec): SudoersEntry => {
    const commands = expandCommands(spec.commands, aliases);
    const users = expandUsers(spec.who, aliases);
    const noAuth = users.some((u) => (userAuth.get(u) ?? globalAuth) === false);
    return {
      who: spec.who,
      runAs: spec.runAs,
      commands,
      nopasswd: spec.nopasswd || noAuth,
      source: spec.source,
      hosts: spec.hosts,
      wildcard: commands.some((c) => c !== 'ALL' && /[*?[]/.test(c)),
    };
  });
  return { entries, gaps, present };
}
