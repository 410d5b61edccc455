// The CLI from source (one module graph with the example adapter, which imports the kit from src/).
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
