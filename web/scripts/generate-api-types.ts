/**
 * Writes web/src/api/schema.d.ts from the API's own OpenAPI document (see api-types.ts). Run with
 * `npm run console:api-types` after changing a route, and commit the result.
 */
import { writeFile } from 'node:fs/promises';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

await writeFile(API_TYPES_FILE, await generateApiTypes());
console.log(`wrote ${API_TYPES_FILE}`);
