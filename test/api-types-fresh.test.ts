import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../web/scripts/api-types.js';

/** The first line where two texts differ, for the failure message. */
function firstDifference(committed: string, generated: string): string {
  const left = committed.split('\n');
  const right = generated.split('\n');
  const index = left.findIndex((line, position) => line !== right[position]);
  const line = index === -1 ? left.length : index;
  return `line ${line + 1}:\n  committed: ${left[line] ?? '(end of file)'}\n  generated: ${right[line] ?? '(end of file)'}`;
}

it('web/src/api/schema.d.ts matches the API’s current OpenAPI document', async () => {
  const generated = await generateApiTypes();
  const committed = (await readFile(API_TYPES_FILE, 'utf8')).replaceAll('\r\n', '\n');
  if (committed !== generated) {
    expect.fail(
      `web/src/api/schema.d.ts is stale: run npm run console:api-types\n(first difference at ${firstDifference(committed, generated)})`,
    );
  }
});
