// Stops `npm install` (and `simdock`) with one line on a Node.js older than simdock supports,
// before anything is built or loaded that would fail less clearly (better-sqlite3 13 crashes with
// a segmentation fault on Node 20). Plain CommonJS with no newer syntax, so any Node can read it.
'use strict';

var minimum = [22, 18];
var parts = process.versions.node.split('.').map(Number);
var tooOld = parts[0] < minimum[0] || (parts[0] === minimum[0] && parts[1] < minimum[1]);

if (tooOld) {
  console.error(
    'simdock needs Node.js ' +
      minimum.join('.') +
      ' or later (24 LTS recommended), not ' +
      process.version +
      ': run  eval "$(scripts/node.sh)"  to use Node 24 from the npm registry, then try again.',
  );
  process.exit(1);
}
