import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { readInputText } from '../util/files.js';

/** The project file's settings, with paths already resolved against the file's folder. */
export interface ProjectConfig {
  file?: string;
  snapshots?: string[];
  policies?: string[];
  builtinPolicies?: boolean;
  checks?: string[];
  skipChecks?: string[];
  failOn?: 'critical' | 'high' | 'medium' | 'low' | 'none';
  minScore?: number;
  allowUnknown?: boolean;
  failOnNewOnly?: boolean;
  baseline?: string;
  waivers?: string;
  formats?: string[];
  outputDir?: string;
  sarifCategory?: string;
  severity?: string[];
  status?: string[];
  compliance?: string;
  /** Values of check parameters, by name (`parameters:`), for every check that declares them. */
  parameters?: Record<string, string[]>;
  maxAge?: number;
  maxWaiverDays?: number;
  /** `cloudward detect`'s settings: a section of their own, since its formats and threshold are not the audit's. */
  detect?: DetectConfig;
}

/** The `detect:` section of the project file, paths resolved against the file's folder. */
export interface DetectConfig {
  rules?: string[];
  builtinRules?: boolean;
  rule?: string[];
  formats?: string[];
  outputDir?: string;
  failOn?: 'critical' | 'high' | 'medium' | 'low' | 'none';
  sarifCategory?: string;
  state?: string;
  maxLateness?: string;
  ipRanges?: string;
  skipBadRecords?: boolean;
  allowEmpty?: boolean;
}

export const CONFIG_FILE_NAMES = ['cloudward.yaml', 'cloudward.yml'];

/** Finds cloudward.yaml from `start` upward (stopping at the filesystem root). */
export function findConfig(start = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Keys written like the flags (`fail-on`), which the schema allows, in the camelCase this code reads (`failOn`). */
const FLAG_NAMED: Record<string, keyof ProjectConfig> = {
  'builtin-policies': 'builtinPolicies',
  'skip-checks': 'skipChecks',
  'fail-on': 'failOn',
  'min-score': 'minScore',
  'allow-unknown': 'allowUnknown',
  'fail-on-new-only': 'failOnNewOnly',
  format: 'formats',
  'output-dir': 'outputDir',
  'sarif-category': 'sarifCategory',
  'max-age': 'maxAge',
  'max-waiver-days': 'maxWaiverDays',
};

/** The same for the `detect:` section. */
const DETECT_FLAG_NAMED: Record<string, keyof DetectConfig> = {
  'builtin-rules': 'builtinRules',
  format: 'formats',
  'output-dir': 'outputDir',
  'fail-on': 'failOn',
  'sarif-category': 'sarifCategory',
  'max-lateness': 'maxLateness',
  'ip-ranges': 'ipRanges',
  'skip-bad-records': 'skipBadRecords',
  'allow-empty': 'allowEmpty',
};

function flagNamedKeys(
  value: Record<string, unknown>,
  file: string,
  lineOf: (path: Array<string | number>) => number,
  named: Record<string, string> = FLAG_NAMED,
  at: string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = named[key] ?? key;
    if (name in out || (name !== key && name in value)) {
      throw new UserError(`"${key}" and "${name}" set the same thing`, {
        where: `${file}:${lineOf([...at, key])}`,
        hint: 'keep one of them',
      });
    }
    out[name] = v;
  }
  return out;
}

export async function loadConfig(file: string): Promise<ProjectConfig> {
  // Loaded here, not with the module: a run with no project file (most detect runs) needs neither ajv nor a YAML parser.
  const [{ createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError }, { parseYamlText }] =
    await Promise.all([import('../util/ajv.js'), import('../util/yaml.js')]);
  const yaml = parseYamlText(await readInputText(file, 'project file', 1024 * 1024), file);
  const validate = createAjv().compile(loadSchema('config.schema.json'));
  const value = yaml.value ?? {};
  if (!validate(value)) {
    const error = mostSpecificError(validate.errors ?? []);
    throw new UserError(`invalid project file: ${describeAjvError(error)}`, {
      where: `${file}:${yaml.lineOf(errorSegments(error))}`,
      hint: 'see schemas/config.schema.json',
    });
  }
  const config = flagNamedKeys(value as Record<string, unknown>, file, yaml.lineOf) as ProjectConfig;
  const base = dirname(resolve(file));
  const at = (p: string) => resolve(base, p);
  const detect = config.detect
    ? (flagNamedKeys(config.detect as Record<string, unknown>, file, yaml.lineOf, DETECT_FLAG_NAMED, [
        'detect',
      ]) as DetectConfig)
    : undefined;
  return {
    ...config,
    file,
    ...(config.snapshots ? { snapshots: config.snapshots.map(at) } : {}),
    ...(config.policies ? { policies: config.policies.map(at) } : {}),
    ...(config.baseline ? { baseline: at(config.baseline) } : {}),
    ...(config.waivers ? { waivers: at(config.waivers) } : {}),
    ...(config.outputDir ? { outputDir: at(config.outputDir) } : {}),
    ...(detect
      ? {
          detect: {
            ...detect,
            ...(detect.rules ? { rules: detect.rules.map(at) } : {}),
            ...(detect.outputDir ? { outputDir: at(detect.outputDir) } : {}),
            ...(detect.state ? { state: at(detect.state) } : {}),
            ...(detect.ipRanges ? { ipRanges: at(detect.ipRanges) } : {}),
          },
        }
      : {}),
  };
}

/** The project file a command uses: `--config FILE`, none with --no-config, else cloudward.yaml found upward. */
export async function resolveConfig(flag: string | false | undefined): Promise<ProjectConfig> {
  if (flag === false) return {};
  const file = flag ? resolve(flag) : findConfig();
  if (!file) return {};
  return loadConfig(file);
}
