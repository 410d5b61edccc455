import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { parsePublishedRanges, type RangesFile } from '../detect/ip-ranges.js';
import { readInputText, writeOutputs } from '../util/files.js';
import { outcome } from './outcome.js';

/** Published range files are a few MiB (Azure's service tags are the largest, about 4 MiB). */
const MAX_RANGES_BYTES = 64 * 1024 * 1024;

async function refresh(files: string[], flags: { output: string }): Promise<number> {
  if (files.length === 0)
    throw new UserError('no ranges file named', {
      hint: 'pass AWS ip-ranges.json, Google cloud.json or an Azure ServiceTags_Public_*.json',
    });
  // Providers not named this time keep the ranges the output file already has.
  let out: RangesFile = { version: 1, providers: {} };
  const existing = await readFile(flags.output, 'utf8').catch(() => undefined);
  if (existing !== undefined) {
    try {
      const parsed = JSON.parse(existing) as RangesFile;
      if (parsed.version === 1 && typeof parsed.providers === 'object') out = parsed;
    } catch {
      throw new UserError('the output exists and is not a cloudward ranges file', {
        where: flags.output,
        hint: 'name a new file or a ranges file written by this command',
      });
    }
  }
  for (const file of files) {
    const { provider, ranges } = parsePublishedRanges(await readInputText(file, 'ranges file', MAX_RANGES_BYTES), file);
    out.providers[provider] = ranges;
    process.stderr.write(
      `cloudward: ${file}: ${provider}, published ${ranges.published}, ${ranges.prefixes} prefixes (${ranges.v4.length} IPv4 and ${ranges.v6.length} IPv6 ranges once merged)\n`,
    );
  }
  await writeOutputs([{ path: flags.output, data: `${JSON.stringify(out)}\n`, flag: '--output' }]);
  return 0;
}

const EXAMPLES = `
Examples:
  $ cloudward ranges refresh ip-ranges.json cloud.json ServiceTags_Public_20250721.json --output ranges.json
  $ cloudward detect logs/ --ip-ranges ranges.json

The files are the providers' own: https://ip-ranges.amazonaws.com/ip-ranges.json,
https://www.gstatic.com/ipranges/cloud.json and Azure's ServiceTags_Public_*.json (Microsoft Download Center).`;

export function rangesCommand(): Command {
  const command = new Command('ranges')
    .description('manage the published cloud address ranges `detect` uses to tell cloud from outside addresses')
    .addHelpText('after', EXAMPLES);
  command
    .command('refresh')
    .description("read providers' published range files (no network) and write a ranges file for `detect --ip-ranges`")
    .argument('<files...>', 'AWS ip-ranges.json, Google cloud.json, Azure ServiceTags_Public_*.json, as published')
    .requiredOption('-o, --output <file>', 'ranges file to write (providers not named keep what it already holds)')
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: { output: string }) => {
      outcome.code = await refresh(files, flags);
    });
  return command;
}
