import { findFormatter, type Formatter } from './formatter.js';
import { csvFormatter } from './csv.js';
import { htmlFormatter } from './html.js';
import { jsonFormatter } from './json.js';
import { junitFormatter } from './junit.js';
import { markdownFormatter } from './markdown.js';
import { ocsfFormatter } from './ocsf.js';
import { sarifFormatter } from './sarif.js';
import { textFormatter } from './text.js';

/** Every output format of an audit, by name. */
export const formatters: Formatter[] = [
  textFormatter,
  jsonFormatter,
  sarifFormatter,
  junitFormatter,
  markdownFormatter,
  htmlFormatter,
  ocsfFormatter,
  csvFormatter,
];

/** The audit format called `name`. */
export function getFormatter(name: string): Formatter {
  return findFormatter(name, formatters);
}

export {
  checkPlannedOutputs,
  planOutputs,
  writePlannedOutputs,
  type OutputPlan,
  type PlannedOutput,
} from './formatter.js';
