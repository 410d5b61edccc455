import { UserError } from '../errors.js';
import type { Formatter } from './formatter.js';
import { csvFormatter } from './csv.js';
import { htmlFormatter } from './html.js';
import { jsonFormatter } from './json.js';
import { junitFormatter } from './junit.js';
import { markdownFormatter } from './markdown.js';
import { ocsfFormatter } from './ocsf.js';
import { sarifFormatter } from './sarif.js';
import { textFormatter } from './text.js';

/** Every output format, by name. */
export const formatters: Formatter[] = [textFormatter, jsonFormatter, sarifFormatter, junitFormatter, markdownFormatter, htmlFormatter, ocsfFormatter, csvFormatter];

export function getFormatter(name: string): Formatter {
  const formatter = formatters.find((f) => f.name === name);
  if (!formatter) {
    throw new UserError(`unknown format "${name}"`, { where: '--format', hint: `use one of: ${formatters.map((f) => f.name).join(', ')}` });
  }
  return formatter;
}
