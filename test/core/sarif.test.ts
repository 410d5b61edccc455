import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { multitoolValidate, SARIF_SCHEMA } from '../support/sarif-multitool.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

interface SarifLog {
  runs: Array<{
    tool: {
      driver: {
        rules: Array<{
          id: string;
          fullDescription: { text: string };
          help: { text: string };
          properties: { tags: string[]; 'security-severity': string };
        }>;
      };
    };
    automationDetails: { id: string };
    results: Array<{
      ruleId: string;
      level: string;
      kind: string;
      partialFingerprints: Record<string, string>;
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
        logicalLocations: Array<{ kind: string; fullyQualifiedName: string }>;
      }>;
    }>;
  }>;
}

async function exampleSarif(): Promise<{ file: string; log: SarifLog }> {
  const dir = await tempDir();
  const file = join(dir, 'cloudward.sarif');
  const run = await runCli(['audit', EXAMPLE, '--format', 'sarif', '--output', file, '--fail-on', 'none']);
  if (run.code !== 0) throw new Error(run.stderr);
  return { file, log: JSON.parse(await readFile(file, 'utf8')) as SarifLog };
}

test('SARIF validates against the official SARIF 2.1.0 schema', async (t) => {
  const { log } = await exampleSarif();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
  t.true(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
});

test('SARIF passes the Microsoft SARIF Multitool (SARIF and GitHub rules) with zero errors and warnings', async (t) => {
  const { file } = await exampleSarif();
  const verdict = await multitoolValidate(file);
  t.deepEqual(verdict.serious, []);
  // The Multitool did look: it reports style notes, so an empty list above is a real pass.
  t.true(verdict.notes > 0);
});

test('every loaded check is a rule; results are located in the snapshot with stable fingerprints', async (t) => {
  const { log } = await exampleSarif();
  const run = log.runs[0]!;
  const checks = JSON.parse((await runCli(['checks', 'list', '--format', 'json'])).stdout) as Array<{ id: string }>;
  t.deepEqual(run.tool.driver.rules.map((r) => r.id).sort(), checks.map((c) => c.id).sort());
  for (const rule of run.tool.driver.rules) {
    t.true(rule.fullDescription.text.length <= 1024);
    t.true(rule.properties.tags.length <= 20);
    t.true(['9.5', '8.0', '5.5', '2.0'].includes(rule.properties['security-severity']));
    t.regex(rule.help.text, /Remediation:/);
  }
  t.regex(run.automationDetails.id, /^cloudward\//);
  const snapshotLines = (await readFile(EXAMPLE, 'utf8')).split('\n');
  for (const result of run.results) {
    const location = result.locations[0]!;
    t.is(location.physicalLocation.artifactLocation.uri, 'examples/acme/snapshot.json');
    t.true(location.physicalLocation.region.startLine >= 1);
    t.true(snapshotLines.length >= location.physicalLocation.region.startLine);
    t.is(location.logicalLocations[0]!.kind, 'resource');
    t.regex(result.partialFingerprints.primaryLocationLineHash!, /^[0-9a-f]{32}:1$/);
  }
  // A principal's finding points at the line of its uid.
  const principal = run.results.find((r) => r.ruleId === 'azure-privileged-users-mfa-registered' && r.kind === 'fail')!;
  const line = snapshotLines[principal.locations[0]!.physicalLocation.region.startLine - 1]!;
  t.regex(line, /"uid": "azure:[^"]+:user\//);
  const again = await exampleSarif();
  t.deepEqual(
    again.log.runs[0]!.results.map((r) => r.partialFingerprints),
    run.results.map((r) => r.partialFingerprints),
  );
});
