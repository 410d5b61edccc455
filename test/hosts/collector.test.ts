import { readFileSync } from 'node:fs';
import test from 'ava';
import { WINDOWS_DOCUMENTS } from '../../src/providers/windows/normalize.js';
import { packagePath } from '../../src/util/paths.js';

// PowerShell does not run here; these tests hold the collector to the contract the importer reads.
const script = readFileSync(packagePath('collectors', 'windows', 'Get-CloudwardHost.ps1'), 'utf8');

test('the collector writes every document kind the Windows importer reads, and no other', (t) => {
  const written = new Set([...script.matchAll(/Add-Document '([a-z.-]+)'/g)].map((m) => m[1]));
  t.deepEqual([...written].sort(), Object.keys(WINDOWS_DOCUMENTS).sort());
});

test('the collector records gaps only under the topics the checks need', (t) => {
  const topics = new Set<string>(Object.values(WINDOWS_DOCUMENTS));
  for (const [, topic] of script.matchAll(/Add-Gap '([a-z.-]+)'/g)) t.true(topics.has(topic!), topic);
});

test('the collector writes the host bundle format and changes nothing on the host', (t) => {
  t.regex(script, /format = 'cloudward-host-bundle'/);
  t.regex(script, /formatVersion = 1/);
  // Only the bundle is written; no cmdlet that sets, removes or starts anything on the machine.
  t.notRegex(
    script,
    /\b(Set-(AppLockerPolicy|ExecutionPolicy|MpPreference|ItemProperty|Service)|Add-MpPreference|Remove-(Item|LocalGroupMember)|Start-Service|Stop-Service|New-Item|Invoke-WebRequest|Invoke-RestMethod)\b/,
  );
  t.deepEqual(
    [...script.matchAll(/\b(Set-Content|Out-File)\b[^\n]*/g)].map((m) => m[0]),
    ['Set-Content -LiteralPath $OutFile -Value $json -Encoding UTF8'],
  );
});
