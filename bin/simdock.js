#!/usr/bin/env node
import { createRequire } from 'node:module';

// One clear line on a Node.js too old for simdock, before its modules load.
createRequire(import.meta.url)('../scripts/check-node.cjs');
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv);
