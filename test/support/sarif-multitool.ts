import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../helpers/cli.js';

const MODULES = join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux');
/** The SARIF 2.1.0 JSON schema the Multitool ships. */
export const SARIF_SCHEMA = join(MODULES, 'sarif-2.1.0.json');

/** What the Multitool found in a log: its errors and warnings as `RULE arguments`, and how many notes. */
export interface MultitoolVerdict {
  serious: string[];
  notes: number;
}

/**
 * Runs the Microsoft SARIF Multitool's `validate` (its SARIF and GitHub rules, every level) on a SARIF file.
 * The Multitool looks up the host names of the URIs it finds; a machine without network answers some lookups only
 * when the resolver gives up, 5 s each by default, so the lookups here give up after one second (glibc's
 * RES_OPTIONS), which leaves the rules' verdicts as they were.
 */
export async function multitoolValidate(file: string): Promise<MultitoolVerdict> {
  const out = join(await tempDir('cloudward-multitool-'), 'validation.sarif');
  const args = ['validate', file, '--output', out, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'];
  await promisify(execFile)(join(MODULES, 'Sarif.Multitool'), [...args, '--level', 'Error;Warning;Note'], {
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', RES_OPTIONS: 'timeout:1 attempts:1' },
  });
  const validation = JSON.parse(await readFile(out, 'utf8')) as {
    runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { arguments?: string[] } }> }>;
  };
  const findings = validation.runs.flatMap((r) => r.results ?? []);
  const note = (r: { level?: string }) => (r.level ?? 'warning') === 'note';
  return {
    serious: findings.filter((r) => !note(r)).map((r) => `${r.ruleId} ${r.message.arguments?.join(' ') ?? ''}`),
    notes: findings.filter(note).length,
  };
}
