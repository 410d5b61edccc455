#!/usr/bin/env node
import { main, removeTemporariesOnExit } from '../dist/cli/main.js';

// Ctrl-C, a CI cancel (SIGTERM) or an error leaves no half-written file behind; a signal exits 128 + its number.
removeTemporariesOnExit();

// A reader that goes away early (`cloudward audit ... | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
