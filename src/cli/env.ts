import type { Command, Option } from 'commander';
import { UserError } from '../errors.js';

/**
 * Commands whose flags have variables of their own: `detect --fail-on` is CLOUDWARD_DETECT_FAIL_ON, since a job's
 * CLOUDWARD_FAIL_ON or CLOUDWARD_FORMAT=html is set for its audits, whose thresholds and formats mean other things.
 */
const OWN_PREFIX: Record<string, string> = { detect: 'CLOUDWARD_DETECT_' };

/** The prefix of `command`'s flags' variables: CLOUDWARD_, or the command's own. */
function envPrefix(command: Command | undefined): string {
  const own = command && !command.parent?.parent ? OWN_PREFIX[command.name()] : undefined;
  return own ?? 'CLOUDWARD_';
}

/** The environment variable that mirrors a flag of `command`: `--fail-on` is CLOUDWARD_FAIL_ON (for detect, CLOUDWARD_DETECT_FAIL_ON). */
export function envName(option: Option, command?: Command): string | undefined {
  const long = option.long?.replace(/^--(no-)?/, '');
  return long && long !== 'help' && long !== 'version'
    ? `${envPrefix(command)}${long.toUpperCase().replace(/-/g, '_')}`
    : undefined;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/**
 * Lets every flag of `command` be set from a CLOUDWARD_* environment variable, as CI systems prefer; a flag on the
 * command line wins (and a repeatable flag given on the command line replaces the variable's list). Flags with a
 * value take the variable's text, parsed and checked like the flag's; on/off flags take 1/true/yes/on or
 * 0/false/no/off, and anything else is an error rather than a guess.
 */
export function mirrorFlagsInEnv(command: Command): Command {
  // On each command with flags of its own, for its own action: a parent's hook would also run for its subcommands.
  command.hook('preAction', (_command, action) => {
    if (action !== command) return;
    for (const option of action.options as Option[]) {
      const name = envName(option, action);
      const raw = name === undefined ? undefined : process.env[name];
      if (name === undefined || raw === undefined) continue;
      const key = option.attributeName();
      if (action.getOptionValueSource(key) === 'cli') continue;
      action.setOptionValueWithSource(
        key,
        option.required || option.optional
          ? envOptionValue(option, name, raw, action.getOptionValue(key))
          : onOff(name, raw),
        'env',
      );
    }
  });
  return command;
}

/** A flag's value from the environment, parsed and checked as the flag's own value would be. */
function envOptionValue(option: Option, name: string, raw: string, previous: unknown): unknown {
  if (option.argChoices && !option.argChoices.includes(raw))
    throw new UserError(`"${raw}" is not one of ${option.argChoices.join(', ')}`, { where: name });
  // `--subscription <id...>` takes several words on the command line; in a variable they are comma-separated.
  if (option.variadic && !option.parseArg)
    return raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  if (!option.parseArg) return raw;
  try {
    return option.parseArg(raw, previous);
  } catch (error) {
    throw new UserError(`"${raw}" is not valid: ${(error as Error).message}`, { where: name });
  }
}

function onOff(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (!TRUE.has(value) && !FALSE.has(value))
    throw new UserError(`"${raw}" is neither on nor off`, {
      where: name,
      hint: 'use 1, true, yes or on; or 0, false, no or off',
    });
  // For --no-x flags the variable names x: CLOUDWARD_COLOR=false is --no-color.
  return TRUE.has(value);
}

/**
 * CLOUDWARD_* variables that are not flags: what reads each. A variable named here or after a flag of any command
 * is known; any other is a warning (a typo would otherwise be ignored without a word).
 */
const DOCUMENTED_VARIABLES: Record<string, string> = {
  CLOUDWARD_DEBUG: 'every command: timed steps and stack traces on stderr (README)',
  CLOUDWARD_PROVIDER_MODULES: 'provider adapters outside this tree (docs/providers/adding.md)',
  CLOUDWARD_SNAPSHOTS: 'the GitHub Action: its snapshots input (action.yml)',
  CLOUDWARD_ARGS: 'the GitHub Action: its args input (action.yml)',
  CLOUDWARD_NOTE_TOKEN: 'the GitLab job in docs/ci.md: the token that posts the merge-request note',
  CLOUDWARD_TEST_PROCESS: "this project's test suite: run every CLI call as a process of its own",
  CLOUDWARD_FUZZ_RUNS: "this project's fuzz suites: how many runs each property makes (`npm run fuzz`)",
  CLOUDWARD_FUZZ_SEED: "this project's fuzz suites: the seed of their runs",
};

/** Every variable cloudward knows: one per flag of every command in the tree, and the documented ones. */
export function knownVariables(program: Command): Set<string> {
  const names = new Set(Object.keys(DOCUMENTED_VARIABLES));
  const walk = (command: Command) => {
    for (const option of command.options as Option[]) {
      const name = envName(option, command);
      if (name) names.add(name);
    }
    for (const sub of command.commands) walk(sub);
  };
  walk(program);
  return names;
}

/** The CLOUDWARD_* variables set in `env` that `known` does not hold. */
export function unknownVariables(env: NodeJS.ProcessEnv, known: Set<string>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('CLOUDWARD_') && !known.has(name))
    .sort();
}

/** The warning for an unknown variable: the known names within a few edits of it, or what cloudward does read. */
export function unknownVariableWarning(name: string, known: Set<string>): string {
  const limit = Math.max(2, Math.floor((name.length - 'CLOUDWARD_'.length) / 3));
  const near = [...known]
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter((x) => x.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map((x) => x.candidate);
  // A command's own variable named without its prefix (CLOUDWARD_MAX_LATENESS for CLOUDWARD_DETECT_MAX_LATENESS).
  const flag = name.slice('CLOUDWARD_'.length);
  for (const prefix of Object.values(OWN_PREFIX))
    if (known.has(`${prefix}${flag}`) && !near.includes(`${prefix}${flag}`)) near.unshift(`${prefix}${flag}`);
  const head = `${name} is not a variable cloudward reads`;
  if (near.length > 0) return `${head}; did you mean ${near.join(' or ')}?`;
  return `${head}; it reads CLOUDWARD_<FLAG> for a flag of the command (CLOUDWARD_FAIL_ON for --fail-on; CLOUDWARD_DETECT_<FLAG> for detect's), and ${Object.keys(DOCUMENTED_VARIABLES).slice(0, 2).join(', ')}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
