import type { Command, Option } from 'commander';
import { UserError } from '../errors.js';

/** The environment variable that mirrors a flag: `--fail-on` is CLOUDWARD_FAIL_ON. */
export function envName(option: Option): string | undefined {
  const long = option.long?.replace(/^--(no-)?/, '');
  return long && long !== 'help' && long !== 'version' ? `CLOUDWARD_${long.toUpperCase().replace(/-/g, '_')}` : undefined;
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
  command.hook('preAction', (_command, action) => {
    for (const option of action.options as Option[]) {
      const name = envName(option);
      const raw = name === undefined ? undefined : process.env[name];
      if (name === undefined || raw === undefined) continue;
      const key = option.attributeName();
      if (action.getOptionValueSource(key) === 'cli') continue;
      action.setOptionValueWithSource(key, option.required || option.optional ? valueOf(option, name, raw, action.getOptionValue(key)) : onOff(name, raw), 'env');
    }
  });
  return command;
}

/** A flag's value from the environment, parsed and checked as the flag's own value would be. */
function valueOf(option: Option, name: string, raw: string, previous: unknown): unknown {
  if (option.argChoices && !option.argChoices.includes(raw)) throw new UserError(`"${raw}" is not one of ${option.argChoices.join(', ')}`, { where: name });
  if (!option.parseArg) return raw;
  try {
    return option.parseArg(raw, previous);
  } catch (error) {
    throw new UserError(`"${raw}" is not valid: ${(error as Error).message}`, { where: name });
  }
}

function onOff(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (!TRUE.has(value) && !FALSE.has(value)) throw new UserError(`"${raw}" is neither on nor off`, { where: name, hint: 'use 1, true, yes or on; or 0, false, no or off' });
  // For --no-x flags the variable names x: CLOUDWARD_COLOR=false is --no-color.
  return TRUE.has(value);
}
