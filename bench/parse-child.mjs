// The baseline an audit is measured against: read a snapshot file, decode it and JSON.parse it, nothing else.
import { readFileSync } from 'node:fs';

const value = JSON.parse(readFileSync(process.argv[2], 'utf8'));
if (typeof value !== 'object') process.exitCode = 1;
