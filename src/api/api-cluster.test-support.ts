/**
 * The `simdock` command for tests that need a real program (node:cluster forks re-run the
 * script they were started from): `node --import tsx src/api/api-cluster.test-support.ts …`.
 */
import { main } from '../cli/main.js';

process.exitCode = await main(process.argv);
