import { Command, CommanderError, Help, type Option } from 'commander';
import { isUserError } from '../errors.js';
import { toolVersion } from '../util/paths.js';
import { safeLines, safeText } from '../util/terminal.js';
export { removeTemporariesOnExit } from '../util/temporary.js';
import { debug, setDebug } from '../util/debug.js';
import { auditCommand } from './audit.js';
import { checksCommand } from './checks.js';
import { detectCommand } from './detect.js';
import { rangesCommand } from './ranges.js';
import { diffCommand } from './diff.js';
import { knownVariables, mirrorFlagsInEnv, unknownVariables, unknownVariableWarning } from './env.js';
import { mergeCommand } from './merge.js';
import { outcome } from './outcome.js';
import { testCommand } from './test.js';
import { validateCommand } from './validate.js';
import { sourceDateEpoch } from '../report/model.js';

/** Commands that never touch a provider SDK; for these the provider registry (and its SDK clients) is not loaded. */
const CORE_COMMANDS = new Set(['audit', 'validate', 'checks', 'test', 'diff', 'merge', 'detect']);

/**
 * The command tree. Provider commands are imported only when the invocation may need them (collect, import,
 * permissions, or the top-level help that lists them): loading the cloud SDKs costs about half a second that
 * `audit` never needs.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('cloudward')
    .description('Audit how well a cloud tenant resists being driven through its APIs (ATT&CK T1059.009): M1026 Privileged Account Management and M1038 Execution Prevention, measure by measure.')
    .version(toolVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ cloudward collect aws --profile audit --output aws.json
  $ cloudward import windows jump-01.json --output hosts.json
  $ cloudward audit aws.json hosts.json --output-dir reports --format text,json,sarif,html
  $ cloudward checks list
  $ cloudward test ./our-policies
  $ cloudward detect cloudtrail/ azure-activity.json gcp-audit.jsonl --format sarif --output detect.sarif

Debugging: --debug (any command, or CLOUDWARD_DEBUG=1) prints timed steps and stack traces on stderr.
Environment: every flag of a command can be set as CLOUDWARD_<FLAG> (CLOUDWARD_FAIL_ON=critical); the command line wins.

Exit codes: 0 success / gate passed, 1 gate failed (or check test cases failed), 2 usage, input or tool error,
130 / 143 interrupted by SIGINT / SIGTERM (temporary files removed).`,
    );
  const first = argv.find((arg) => !arg.startsWith('-'));
  const providerCommands = first !== undefined && CORE_COMMANDS.has(first) ? undefined : await import('./providers.js');
  const commands = [auditCommand(), providerCommands?.collectCommand(), providerCommands?.importCommand(), mergeCommand(), validateCommand(), checksCommand(), diffCommand(), testCommand(), detectCommand(), rangesCommand(), providerCommands?.permissionsCommand()];
  for (const command of commands) if (command) program.addCommand(command);
  return program;
}

/**
 * Every command and subcommand turns usage errors into exit code 2 with a one-line message, and reads each of its
 * flags from a CLOUDWARD_* variable too.
 */
function configure(command: Command): void {
  command.exitOverride();
  mirrorFlagsInEnv(command);
  // Repeatable options start from an empty list, which says nothing to a reader: "(default: [])" is left out.
  command.configureHelp({
    optionDescription(this: Help, option: Option): string {
      return Help.prototype.optionDescription.call(this, option).replace(/,? ?default: \[\]\)$/, ')').replace(/ \(\)$/, '');
    },
  });
  command.configureOutput({
    outputError: (text, write) => write(`cloudward: ${safeText(text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim())} (see --help)\n`),
  });
  for (const sub of command.commands) configure(sub);
}

/**
 * A warning on stderr for each CLOUDWARD_* variable no command reads. The provider commands' flags are only loaded
 * (half a second of SDKs) when a variable is unknown to the commands already built.
 */
async function warnUnknownVariables(program: Command): Promise<void> {
  let known = knownVariables(program);
  let unknown = unknownVariables(process.env, known);
  if (unknown.length > 0 && !program.commands.some((c) => c.name() === 'collect')) {
    known = knownVariables(await buildProgram([]).catch(() => program));
    unknown = unknownVariables(process.env, known);
  }
  for (const name of unknown) process.stderr.write(`cloudward: warning: ${safeText(unknownVariableWarning(name, known))}\n`);
}

/** Runs the CLI and returns the exit code: 0 success, 1 gate failed, 2 usage/input/tool error. Never throws. */
export async function main(argv: string[]): Promise<number> {
  outcome.code = 0;
  // --debug works anywhere on the line and for every command, so it is taken out before the commands see it.
  const debugOn = argv.includes('--debug') || /^(1|true|yes|on)$/i.test(process.env.CLOUDWARD_DEBUG ?? '');
  argv = argv.filter((arg) => arg !== '--debug');
  setDebug(debugOn);
  debug(`cloudward ${toolVersion()} on Node.js ${process.version}: ${argv.join(' ')}`);
  const verbose = debugOn || argv.includes('--verbose') || argv.includes('-v');
  try {
    // Inside the try: loading the provider registry can fail on a bad CLOUDWARD_PROVIDER_MODULES.
    const program = await buildProgram(argv);
    configure(program);
    await warnUnknownVariables(program);
    // Checked before any work, for every command that runs (not for --help): reports are stamped with it.
    program.hook('preAction', () => void sourceDateEpoch());
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // commander.executeSubCommandAsync etc.: the message was already printed by outputError.
      return 2;
    }
    if (isUserError(error)) {
      process.stderr.write(`cloudward: ${safeText(error.oneLine())}\n`);
      if (debugOn && error.stack) process.stderr.write(`${safeLines(error.stack)}\n`);
      return 2;
    }
    const err = error as Error;
    process.stderr.write(`cloudward: internal error: ${safeText(err?.message ?? String(error))}${verbose ? '' : ' (run with --verbose for details)'}\n`);
    if (verbose && err?.stack) process.stderr.write(`${safeLines(err.stack)}\n`);
    return 2;
  }
}
