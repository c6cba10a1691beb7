/**
 * The simdock CLI run from the TypeScript sources (through tsx), for tests that start real
 * `simdock` processes without building dist/ first.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
