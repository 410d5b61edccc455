/** The exit code a command decided on; set once by the command, read once by main. */
export const outcome = { code: 0 };
