import { safeText } from './terminal.js';

/** `--debug` (or CLOUDWARD_DEBUG=1): timed notes on stderr of what the command does, and stack traces on errors. */
const state = { on: false, start: 0 };

export function setDebug(on: boolean): void {
  state.on = on;
  state.start = performance.now();
}

/** One `cloudward: debug: +12ms what` line on stderr when --debug is on; nothing otherwise. */
export function debug(message: string): void {
  if (!state.on) return;
  process.stderr.write(`cloudward: debug: +${Math.round(performance.now() - state.start)}ms ${safeText(message)}\n`);
}
