import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, jsonResponse } from '../../api-schemas.js';

const Label = z.object({ en: z.string(), 'zh-CN': z.string() });

const SupplierSchema = z
  .object({
    type: z.string(),
    name: z.string(),
    credentialFields: z.array(
      z.object({
        name: z.string(),
        label: Label,
        kind: z.enum(['text', 'url', 'secret', 'map']),
        required: z.boolean(),
        example: z.string().optional(),
        keys: z.array(z.string()).optional(),
        description: Label.optional(),
      }),
    ),
  })
  .openapi('SupplierType');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['accounts'],
  summary: 'The supplier types simdock speaks, with the settings an account of each needs',
  responses: {
    200: jsonResponse(z.object({ suppliers: z.array(SupplierSchema) }), 'Supplier types'),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/suppliers`: the catalog, so forms can be built from each type's credential fields. */
export function suppliersRouter() {
  return createRouter().openapi(list, (c) => {
    principal(c);
    const catalog = serviceContext(c).catalog;
    const suppliers = catalog.types().map((type) => {
      const definition = catalog.get(type);
      return { type, name: definition.name, credentialFields: definition.credentialFields };
    });
    return c.json({ suppliers }, 200);
  });
}
