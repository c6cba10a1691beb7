import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** An OpenAPI 3.1 document, as far as response validation reads it. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, unknown> };
}

interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, ResponseObject>;
}

/**
 * The document's schemas closed to fields they do not name, so an undocumented field in an
 * answer fails validation. JSON Schema 2020-12's `unevaluatedProperties: false` sees through
 * `allOf` and `$ref`, which zod's `.extend` of a named schema produces (`allOf: [{$ref: Card},
 * {properties: …}]`): components stay open themselves and are closed where they are used.
 */
function closeObjects(node: unknown, directlyInAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((item) => closeObjects(item, directlyInAllOf));
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    copy[key] = key === 'allOf' ? closeObjects(value, true) : closeObjects(value);
  }
  if (directlyInAllOf) return copy;
  if (typeof copy.$ref === 'string') {
    return { allOf: [copy], unevaluatedProperties: false };
  }
  const isObject = copy.type === 'object' && copy.properties !== undefined;
  if ((isObject || copy.allOf) && copy.additionalProperties === undefined) {
    copy.unevaluatedProperties ??= false;
  }
  return copy;
}

/** The components as they are: open, for closing where used. */
function componentsOf(document: OpenApiDocument): Record<string, unknown> {
  const schemas = document.components?.schemas ?? {};
  return {
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [
        name,
        Object.fromEntries(
          Object.entries(closeObjects(schema) as Record<string, unknown>).filter(
            ([key]) => key !== 'unevaluatedProperties',
          ),
        ),
      ]),
    ),
  };
}

/**
 * Checks answers against the published OpenAPI document: the status must be one the operation
 * declares, and a JSON body must match the declared schema (no field the schema does not name).
 * Paths the document does not describe (callbacks, the agent open API, the console, `/docs`)
 * are not checked.
 */
export class OpenApiResponseValidator {
  readonly #operations: Operation[] = [];
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();
  /** What failed, one line each. */
  readonly violations: string[] = [];

  constructor(document: unknown) {
    const given = document as OpenApiDocument;
    const closed = { paths: closeObjects(given.paths) } as OpenApiDocument;
    this.#ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema(
      { $id: 'simdock-openapi', components: componentsOf(given) },
      'simdock-openapi',
    );
    for (const [template, methods] of Object.entries(closed.paths)) {
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
      );
      for (const [method, operation] of Object.entries(methods)) {
        this.#operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          responses: operation.responses ?? {},
        });
      }
    }
    // Literal segments win over parameters (`/cards/import` before `/cards/{id}`).
    this.#operations.sort(
      (left, right) =>
        (left.template.match(/\{/g)?.length ?? 0) - (right.template.match(/\{/g)?.length ?? 0),
    );
  }

  /** Validates one answer; a violation is recorded, not thrown. */
  async check(method: string, url: string, response: Response): Promise<void> {
    const path = new URL(url, 'http://simdock.test').pathname;
    const operation = this.#operations.find(
      (candidate) => candidate.method === method.toUpperCase() && candidate.pattern.test(path),
    );
    if (!operation) return;
    const name = `${operation.method} ${operation.template} → ${response.status}`;
    const declared =
      operation.responses[String(response.status)] ??
      operation.responses[`${String(response.status)[0]}XX`] ??
      operation.responses.default;
    if (!declared) {
      this.violations.push(`${name}: status not documented`);
      return;
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (type !== 'application/json') return;
    const schema = declared.content?.['application/json']?.schema;
    if (schema === undefined) {
      this.violations.push(`${name}: a JSON body where the document declares none`);
      return;
    }
    const text = await response.clone().text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.violations.push(`${name}: the body is not JSON`);
      return;
    }
    const key = `${operation.method} ${operation.template} ${response.status}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      const rewritten = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"simdock-openapi#/components/'),
      );
      validate = this.#ajv.compile(rewritten);
      this.#validators.set(key, validate);
    }
    if (!validate(body)) {
      const error = validate.errors?.[0];
      this.violations.push(
        `${name}: ${error?.instancePath || '(body)'} ${error?.message ?? 'does not match'}${
          error?.params ? ` ${JSON.stringify(error.params)}` : ''
        }`,
      );
    }
  }
}
