/**
 * The `simdock` command for tests that need a real program (node:cluster forks re-run the
 * script they were started from): `node --import tsx test/api-cluster.test-support.ts …`.
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv);
