import test from 'ava';
import {
  isBroadPrincipal,
  openUserWritableLocations,
  pathPattern,
  userWritableLocations,
} from '../../src/providers/windows/user-writable.js';

const exe = ['.exe', '.com'];
const script = ['.ps1', '.bat', '.cmd', '.vbs', '.js'];

test('every spelling of the user-writable folders is recognised', (t) => {
  t.deepEqual(userWritableLocations('%TEMP%\\*', exe), ['temp']);
  t.deepEqual(userWritableLocations('%TMP%\\*', exe), ['temp']);
  t.deepEqual(userWritableLocations('%APPDATA%\\*', exe), ['appdata']);
  t.deepEqual(userWritableLocations('%LOCALAPPDATA%\\*', exe), ['temp', 'localappdata']);
  t.deepEqual(userWritableLocations('%USERPROFILE%\\Downloads\\*', exe), ['downloads']);
  t.deepEqual(userWritableLocations('%OSDRIVE%\\Users\\*', exe), [
    'temp',
    'localappdata',
    'appdata',
    'downloads',
    'profile',
  ]);
  t.deepEqual(userWritableLocations('c:/users/*/', exe), ['temp', 'localappdata', 'appdata', 'downloads', 'profile']);
  t.deepEqual(userWritableLocations('C:\\Windows\\Temp\\*', exe), ['windows-temp']);
  t.deepEqual(userWritableLocations('*', exe).length, 6);
  t.deepEqual(userWritableLocations('%OSDRIVE%\\*', exe).length, 6);
});

test('a subfolder or a single file of a user-writable folder is user-writable too', (t) => {
  t.deepEqual(userWritableLocations('%APPDATA%\\Scripts\\*.ps1', script), ['appdata']);
  t.deepEqual(userWritableLocations('%OSDRIVE%\\Users\\Public\\Tools\\', exe), ['profile']);
  t.deepEqual(userWritableLocations('C:\\Users\\bob\\AppData\\Local\\Temp\\setup.exe', exe), ['temp']);
  // A deny on a subfolder does not close the whole folder.
  t.deepEqual(
    openUserWritableLocations([{ paths: ['%APPDATA%\\*'], exceptionPaths: [] }], ['%APPDATA%\\Scripts\\*'], script),
    ['appdata'],
  );
});

test('system folders and the Windows default rule are not user-writable', (t) => {
  t.deepEqual(userWritableLocations('%PROGRAMFILES%\\*', exe), []);
  t.deepEqual(userWritableLocations('%WINDIR%\\*', exe), []);
  t.deepEqual(userWritableLocations('%SYSTEM32%\\*', exe), []);
  t.deepEqual(userWritableLocations('D:\\Tools\\*', exe), []);
});

test('an extension in the pattern only opens its own file kind', (t) => {
  t.deepEqual(userWritableLocations('%TEMP%\\*.ps1', exe), []);
  t.deepEqual(userWritableLocations('%TEMP%\\*.ps1', script), ['temp']);
});

test('patterns match case-insensitively and as a whole path', (t) => {
  t.true(pathPattern('%OSDRIVE%\\USERS\\*').test('c:\\users\\bob\\x.exe'));
  t.false(pathPattern('%OSDRIVE%\\Users\\bob.exe').test('C:\\Users\\bob.exe.bak'));
  t.true(pathPattern('C:\\a+b (x)\\*').test('C:\\a+b (x)\\y.exe'));
});

test('deny rules and exceptions close what allow rules open', (t) => {
  const users = [{ paths: ['%OSDRIVE%\\Users\\*'], exceptionPaths: [] }];
  t.deepEqual(openUserWritableLocations(users, [], exe), ['temp', 'localappdata', 'appdata', 'downloads', 'profile']);
  t.deepEqual(openUserWritableLocations(users, ['%OSDRIVE%\\Users\\*\\Downloads\\*'], exe), [
    'temp',
    'localappdata',
    'appdata',
    'profile',
  ]);
  t.deepEqual(openUserWritableLocations(users, ['*'], exe), []);
  t.deepEqual(
    openUserWritableLocations([{ paths: ['%OSDRIVE%\\Users\\*'], exceptionPaths: ['%OSDRIVE%\\Users\\*'] }], [], exe),
    [],
  );
  // A deny for .exe only does not close the folder to .com files.
  t.deepEqual(openUserWritableLocations([{ paths: ['%TEMP%\\*'], exceptionPaths: [] }], ['%TEMP%\\*.exe'], exe), [
    'temp',
  ]);
});

test('broad principals: Everyone, Users, Authenticated Users, Interactive, Domain Users', (t) => {
  for (const sid of ['S-1-1-0', 'S-1-5-32-545', 'S-1-5-11', 'S-1-5-4', 'S-1-5-21-1004336348-1177238915-682003330-513'])
    t.true(isBroadPrincipal(sid), sid);
  for (const sid of ['S-1-5-32-544', 'S-1-5-18', 'S-1-5-21-1004336348-1177238915-682003330-512'])
    t.false(isBroadPrincipal(sid), sid);
});
