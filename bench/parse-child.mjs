// The baseline an audit is measured against: read each snapshot file, decode it and JSON.parse it, nothing else.
// Several files (a tenant split by provider) are parsed one after the other and all kept, as an audit keeps them.
import { readFileSync } from 'node:fs';

const values = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
if (values.some((value) => typeof value !== 'object')) process.exitCode = 1;
