/**
 * Reading an earlier JSON report (for --baseline, `cloudward diff` and `cloudward validate`): a report of this version,
 * or one clear input error naming what the file is instead.
 */
import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, loadSchema, mostSpecificError } from '../util/ajv.js';
import { readInputText } from '../util/files.js';
import { parseJsonText } from '../util/json.js';
import { TOOL_NAME } from '../util/paths.js';
import { REPORT_VERSION, type Report, type ReportResult } from './model.js';

/** A previous report loaded for comparison: the whole report plus its results by fingerprint. */
export interface LoadedReport {
  file: string;
  report: Report;
  byFingerprint: Map<string, ReportResult>;
}

function notAReport(
  file: string,
  why: string,
  hint = 'pass a report written by `cloudward audit --format json`',
): UserError {
  return new UserError(`not a cloudward JSON report: ${why}`, { where: file, hint });
}

/**
 * Checks that a parsed value is a cloudward JSON report of this report version, with results that carry the
 * fields a comparison reads (check id, resource uid, status). A SARIF log or a snapshot given by mistake is named.
 */
export function assertReport(value: unknown, file: string): Report {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw notAReport(file, 'the file does not hold a JSON object');
  const record = value as Record<string, unknown>;
  if (typeof record.version === 'string' && Array.isArray(record.runs)) {
    throw notAReport(
      file,
      'this is a SARIF log',
      'pass the JSON report (`--format json`) of the earlier run, not its SARIF',
    );
  }
  if (typeof record.schemaVersion === 'string' && Array.isArray(record.principals)) {
    throw notAReport(
      file,
      'this is a snapshot',
      'audit the earlier snapshot with `--format json` and pass that report',
    );
  }
  const tool = record.tool as { name?: unknown } | undefined;
  if (typeof record.reportVersion !== 'string' || tool?.name !== TOOL_NAME)
    throw notAReport(file, 'no reportVersion or tool.name "cloudward"');
  if (record.reportVersion !== REPORT_VERSION) {
    throw new UserError(
      `report version ${record.reportVersion} is not the version this cloudward reads (${REPORT_VERSION})`,
      {
        where: `${file}#/reportVersion`,
        hint: 'regenerate the report with this version of cloudward (`cloudward audit OLD-SNAPSHOT --format json`)',
      },
    );
  }
  if (!Array.isArray(record.results)) throw notAReport(file, 'it has no results list');
  record.results.forEach((r: unknown, index) => {
    const result = r as Partial<ReportResult> | null;
    if (
      typeof result?.checkId !== 'string' ||
      typeof result.resource?.uid !== 'string' ||
      typeof result.status !== 'string' ||
      typeof result.fingerprint !== 'string'
    ) {
      throw notAReport(`${file}#/results/${index}`, 'a result lacks checkId, resource.uid, status or fingerprint');
    }
  });
  // The whole report against its schema: a status or severity the gate does not know would otherwise be compared
  // as if it meant something.
  reportValidator ??= createAjv({ validateSchema: false }).compile(loadSchema('report.schema.json'));
  if (!reportValidator(value)) {
    const error = mostSpecificError(reportValidator.errors ?? []);
    throw new UserError(`invalid report: ${describeAjvError(error).replace(/^[^:]*: /, '')}`, {
      where: `${file}#${error.instancePath || '/'}`,
      hint: 'a report must match schemas/report.schema.json; write it again with `cloudward audit --format json`',
    });
  }
  return value as Report;
}

let reportValidator: ValidateFunction | undefined;

/** Reads a previous JSON report (for --baseline and `cloudward diff`); anything else is a clear input error. */
export async function loadReport(file: string, what = 'baseline report'): Promise<LoadedReport> {
  const text = await readInputText(file, what);
  const report = assertReport(parseJsonText(text, file, `${what} JSON`), file);
  return { file, report, byFingerprint: new Map(report.results.map((r) => [r.fingerprint, r])) };
}
