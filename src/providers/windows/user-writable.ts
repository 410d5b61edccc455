import type { UserWritableLocation } from '../../snapshot/model.js';
import { compileGlob, type Glob } from '../../util/glob.js';

/**
 * Where a standard user can write, and so drop a program: one sample file path per location. A path pattern
 * "covers" a location when it matches the sample; patterns are judged by matching, not by string comparison,
 * so `%OSDRIVE%\Users\*`, `C:\users\*\` and `*` are all recognised.
 */
const SAMPLES: Record<UserWritableLocation, string[]> = {
  temp: ['C:\\Users\\alice\\AppData\\Local\\Temp\\x'],
  localappdata: ['C:\\Users\\alice\\AppData\\Local\\Programs\\x'],
  appdata: ['C:\\Users\\alice\\AppData\\Roaming\\x'],
  downloads: ['C:\\Users\\alice\\Downloads\\x'],
  profile: ['C:\\Users\\alice\\Desktop\\x', 'C:\\Users\\Public\\Documents\\x'],
  'windows-temp': ['C:\\Windows\\Temp\\x'],
};

/** A file the Windows default rule protects; a pattern matching it covers all of %WINDIR%. */
const WINDOWS_SYSTEM_SAMPLE = 'C:\\Windows\\System32\\x';

/** File extensions each rule collection governs; a pattern like `...\*.exe` only opens its own kind. */
export const COLLECTION_EXTENSIONS: Record<string, string[]> = {
  Exe: ['.exe', '.com'],
  Script: ['.ps1', '.bat', '.cmd', '.vbs', '.js'],
  Msi: ['.msi', '.msp', '.mst'],
  Dll: ['.dll', '.ocx'],
  Appx: ['.appx'],
};

/** AppLocker's own path variables, plus the user-profile ones people write (and that must still be flagged). */
const VARIABLES: Record<string, string> = {
  OSDRIVE: 'C:',
  SYSTEMDRIVE: 'C:',
  HOMEDRIVE: 'C:',
  WINDIR: 'C:\\Windows',
  SYSTEMROOT: 'C:\\Windows',
  SYSTEM32: 'C:\\Windows\\System32',
  PROGRAMFILES: 'C:\\Program Files',
  'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
  PROGRAMDATA: 'C:\\ProgramData',
  TEMP: 'C:\\Users\\*\\AppData\\Local\\Temp',
  TMP: 'C:\\Users\\*\\AppData\\Local\\Temp',
  APPDATA: 'C:\\Users\\*\\AppData\\Roaming',
  LOCALAPPDATA: 'C:\\Users\\*\\AppData\\Local',
  USERPROFILE: 'C:\\Users\\*',
  HOMEPATH: '\\Users\\*',
  PUBLIC: 'C:\\Users\\Public',
};

/** The pattern with path variables replaced and forward slashes turned into backslashes. */
function expandVariables(pattern: string): string {
  return pattern
    .trim()
    .replace(/\//g, '\\')
    .replace(/%([^%\\]+)%/g, (whole, name: string) => VARIABLES[name.toUpperCase()] ?? whole);
}

/** An AppLocker path pattern as a case-insensitive, anchored matcher (`*` any text, `?` literal), linear in the path. */
export function pathPattern(pattern: string): Glob {
  let path = expandVariables(pattern);
  // A folder path (trailing backslash) means the folder and everything below it, as `\*` does.
  if (path.endsWith('\\')) path += '*';
  return compileGlob(path, { ignoreCase: true });
}

/** Each location's folder, most specific first: a path inside a subfolder belongs to the first that holds it. */
const ROOTS: Array<[UserWritableLocation, Glob]> = [
  ['temp', 'C:\\Users\\*\\AppData\\Local\\Temp\\*'],
  ['localappdata', 'C:\\Users\\*\\AppData\\Local\\*'],
  ['appdata', 'C:\\Users\\*\\AppData\\Roaming\\*'],
  ['downloads', 'C:\\Users\\*\\Downloads\\*'],
  ['profile', 'C:\\Users\\*'],
  ['windows-temp', 'C:\\Windows\\Temp\\*'],
].map(([location, root]) => [location as UserWritableLocation, pathPattern(root as string)]);

/**
 * The (location, extension) pairs a path pattern covers, as `location|.ext` keys. With `inside`, a pattern for a
 * subfolder (`%APPDATA%\Scripts\*.ps1`) counts too: right for allow rules (the subfolder is user-writable), wrong
 * for deny rules and exceptions, which only close a location they cover whole.
 */
function coveredPairs(pattern: string, extensions: string[], inside = false): Set<string> {
  const matcher = pathPattern(pattern);
  const pairs = new Set<string>();
  const coversWindowsFolder = extensions.some((ext) => matcher.test(`${WINDOWS_SYSTEM_SAMPLE}${ext}`));
  for (const [location, samples] of Object.entries(SAMPLES) as Array<[UserWritableLocation, string[]]>) {
    // The default rule `%WINDIR%\*` also covers C:\Windows\Temp; flagging it would fail every default policy,
    // so only a pattern that names the Windows temp folder itself (or reaches beyond %WINDIR%) counts.
    if (location === 'windows-temp' && coversWindowsFolder && !matcher.test('C:\\Users\\alice\\x.exe')) continue;
    for (const ext of extensions) {
      if (samples.some((sample) => matcher.test(`${sample}${ext}`))) pairs.add(`${location}|${ext}`);
    }
  }
  if (inside) {
    // One concrete file the pattern allows: wildcards filled in, the collection's extension when it names none.
    const concrete = expandVariables(pattern).replace(/\*/g, 'x');
    const location = ROOTS.find(([, root]) => root.test(concrete))?.[0];
    if (location) {
      const named = extensions.find((ext) => concrete.toLowerCase().endsWith(ext));
      for (const ext of named
        ? [named]
        : pattern.trim().endsWith('*') || pattern.trim().endsWith('\\')
          ? extensions
          : [])
        pairs.add(`${location}|${ext}`);
    }
  }
  return pairs;
}

/** The user-writable locations a pattern covers for a collection (ignoring deny rules and exceptions). */
export function userWritableLocations(pattern: string, extensions: string[]): UserWritableLocation[] {
  return [
    ...new Set([...coveredPairs(pattern, extensions, true)].map((pair) => pair.split('|')[0] as UserWritableLocation)),
  ];
}

const LOCATION_ORDER: UserWritableLocation[] = [
  'temp',
  'localappdata',
  'appdata',
  'downloads',
  'profile',
  'windows-temp',
];

/**
 * What stays open after AppLocker's own precedence: allow rules for everyone open (location, extension) pairs,
 * their path exceptions and broad deny rules close them again (deny always wins in AppLocker).
 */
export function openUserWritableLocations(
  allows: Array<{ paths: string[]; exceptionPaths: string[] }>,
  denies: string[],
  extensions: string[],
): UserWritableLocation[] {
  const denied = new Set(denies.flatMap((p) => [...coveredPairs(p, extensions)]));
  const open = new Set<string>();
  for (const allow of allows) {
    const excepted = new Set(allow.exceptionPaths.flatMap((p) => [...coveredPairs(p, extensions)]));
    for (const path of allow.paths) {
      for (const pair of coveredPairs(path, extensions, true))
        if (!excepted.has(pair) && !denied.has(pair)) open.add(pair);
    }
  }
  const locations = new Set([...open].map((pair) => pair.split('|')[0] as UserWritableLocation));
  return LOCATION_ORDER.filter((l) => locations.has(l));
}

const WELL_KNOWN_SIDS: Record<string, string> = {
  'S-1-1-0': 'Everyone',
  'S-1-5-4': 'INTERACTIVE',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-18': 'SYSTEM',
  'S-1-5-32-544': 'BUILTIN\\Administrators',
  'S-1-5-32-545': 'BUILTIN\\Users',
  'S-1-5-32-546': 'BUILTIN\\Guests',
};

const BROAD_SIDS = new Set([
  'S-1-1-0',
  'S-1-5-4',
  'S-1-5-11',
  'S-1-5-32-545',
  'S-1-5-32-546',
  'S-1-5-7',
  'S-1-2-0',
  'S-1-2-1',
]);

/** The well-known name of a SID, when it has one (Domain Users is recognised by its RID 513). */
export function sidName(sid: string): string | undefined {
  if (/^S-1-5-21-\d+-\d+-\d+-513$/i.test(sid)) return 'Domain Users';
  return WELL_KNOWN_SIDS[sid.toUpperCase()];
}

/** True when a SID stands for everyone or every ordinary user, so a rule for it applies to any attacker's session. */
export function isBroadPrincipal(sid: string): boolean {
  return BROAD_SIDS.has(sid.toUpperCase()) || /^S-1-5-21-\d+-\d+-\d+-513$/i.test(sid);
}
