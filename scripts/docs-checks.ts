// Regenerates the catalogue part of docs/checks.md from policies/ (npm run docs).
import { readFile, writeFile } from 'node:fs/promises';
import { loadChecks } from '../src/engine/load-checks.js';
import { MEASURES, MITIGATION_NAMES, type Mitigation } from '../src/engine/types.js';

const START = '<!-- catalogue:start -->';
const END = '<!-- catalogue:end -->';
const file = new URL('../docs/checks.md', import.meta.url);

const checks = await loadChecks();
const lines: string[] = [START, '', `${checks.length} checks ship with cloudward.`, ''];
for (const mitigation of Object.keys(MEASURES) as Mitigation[]) {
  lines.push(`### ${mitigation} ${MITIGATION_NAMES[mitigation]}`, '');
  for (const measure of MEASURES[mitigation]) {
    const list = checks.filter((c) => c.mitigation === mitigation && c.measure === measure);
    lines.push(`#### ${measure}`, '');
    if (list.length === 0) {
      lines.push('No checks yet.', '');
      continue;
    }
    for (const c of list) {
      const cis = Object.entries(c.references.cis ?? {}).map(([b, ids]) => `CIS ${b} ${ids.join(', ')}`);
      lines.push(
        `<a id="${c.id}"></a>`,
        `- **\`${c.id}\`** (${c.severity}, ${c.resource}): ${c.title}. ${[...cis, `NIST ${c.references.nist.join(', ')}`].join('; ')}.`,
      );
    }
    lines.push('');
  }
}
lines.push(END);
const text = await readFile(file, 'utf8');
const start = text.indexOf(START);
const end = text.indexOf(END);
if (start === -1 || end === -1) throw new Error('docs/checks.md lacks the catalogue markers');
await writeFile(file, `${text.slice(0, start)}${lines.join('\n')}${text.slice(end + END.length)}`);
process.stdout.write(`docs/checks.md: ${checks.length} checks\n`);
