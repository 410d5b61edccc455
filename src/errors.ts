/**
 * A problem with the user's input or environment: printed as one line, exit code 2, no stack trace.
 * `where` names the file:line, JSON pointer or API call; `hint` says how to fix it.
 */
export class UserError extends Error {
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.where = options.where;
    this.hint = options.hint;
  }

  /** The single line the CLI prints: `where: message (hint)`. */
  oneLine(): string {
    const head = this.where ? `${this.where}: ${this.message}` : this.message;
    const line = this.hint ? `${head} — ${this.hint}` : head;
    return line.replace(/\s*\n\s*/g, ' ');
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
