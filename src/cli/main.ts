import { Command, CommanderError, Help, type Option } from 'commander';
import { isUserError } from '../errors.js';
import { toolVersion } from '../util/paths.js';
import { safeLines, safeText } from '../util/terminal.js';
export { removeTemporariesOnExit } from '../util/temporary.js';
import { debug, setDebug } from '../util/debug.js';
import { knownVariables, mirrorFlagsInEnv, unknownVariables, unknownVariableWarning } from './env.js';
import { outcome } from './outcome.js';
import { sourceDateEpoch } from '../report/model.js';

type CommandLoader = () => Promise<Command>;
const providerCommand =
  (name: 'collectCommand' | 'importCommand' | 'permissionsCommand'): CommandLoader =>
  async () =>
    (await import('./providers.js'))[name]();

/**
 * The commands, in the order help lists them. A command's module brings its whole stack (audit: the check engine, ajv
 * and the what-if adapters; collect: the cloud SDKs), which `detect` never needs, so each is imported only when the
 * command is built.
 */
const COMMANDS: Array<[name: string, load: CommandLoader]> = [
  ['audit', async () => (await import('./audit.js')).auditCommand()],
  ['collect', providerCommand('collectCommand')],
  ['import', providerCommand('importCommand')],
  ['merge', async () => (await import('./merge.js')).mergeCommand()],
  ['validate', async () => (await import('./validate.js')).validateCommand()],
  ['checks', async () => (await import('./checks.js')).checksCommand()],
  ['diff', async () => (await import('./diff.js')).diffCommand()],
  ['test', async () => (await import('./test.js')).testCommand()],
  ['detect', async () => (await import('./detect.js')).detectCommand()],
  ['ranges', async () => (await import('./ranges.js')).rangesCommand()],
  ['permissions', providerCommand('permissionsCommand')],
];

/**
 * The command tree. When the invocation names a command, only that command (and its module) is built; anything else
 * (help, --version, no command or an unknown one, which commander answers with a suggestion) builds them all.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('cloudward')
    .description(
      'Audit how well a cloud tenant resists being driven through its APIs (ATT&CK T1059.009): M1026 Privileged Account Management and M1038 Execution Prevention, measure by measure.',
    )
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
  const named = COMMANDS.find(([name]) => name === first);
  for (const [, load] of named ? [named] : COMMANDS) program.addCommand(await load());
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
      return Help.prototype.optionDescription
        .call(this, option)
        .replace(/,? ?default: \[\]\)$/, ')')
        .replace(/ \(\)$/, '');
    },
  });
  command.configureOutput({
    outputError: (text, write) =>
      write(
        `cloudward: ${safeText(
          text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim(),
        )} (see --help)\n`,
      ),
  });
  for (const sub of command.commands) configure(sub);
}

/**
 * A warning on stderr for each CLOUDWARD_* variable no command reads. The other commands' flags are only loaded
 * (their modules, the cloud SDKs among them) when a variable is unknown to the command already built.
 */
async function warnUnknownVariables(program: Command): Promise<void> {
  let known = knownVariables(program);
  let unknown = unknownVariables(process.env, known);
  if (unknown.length > 0 && program.commands.length < COMMANDS.length) {
    known = knownVariables(await buildProgram([]).catch(() => program));
    unknown = unknownVariables(process.env, known);
  }
  for (const name of unknown)
    process.stderr.write(`cloudward: warning: ${safeText(unknownVariableWarning(name, known))}\n`);
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
    process.stderr.write(
      `cloudward: internal error: ${safeText(err?.message ?? String(error))}${verbose ? '' : ' (run with --verbose for details)'}\n`,
    );
    if (verbose && err?.stack) process.stderr.write(`${safeLines(err.stack)}\n`);
    return 2;
  }
}
