import { describe, expect, it } from 'vitest';
import { SimdockError } from '../domain/index.js';
import { createSupplierCatalog } from './catalog.js';

const definitions = createSupplierCatalog().definitions();

describe('supplier catalog', () => {
  it('lists each supplier type once, with unique demo accounts and callback paths', () => {
    const types = definitions.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    const demoIds = definitions.map((definition) => definition.simulator.demo.id);
    expect(new Set(demoIds).size).toBe(demoIds.length);
    const paths = definitions.flatMap((definition) =>
      definition.notices ? [definition.notices.path] : [],
    );
    expect(new Set(paths).size).toBe(paths.length);
  });

  it.each(definitions.map((definition) => [definition.type, definition] as const))(
    '%s: its simulator settings parse, and bad settings fail in one line',
    (type, definition) => {
      const simulation = definition.simulator.create({ size: 2 });
      const settings = definition.parseSettings(simulation.settings('http://127.0.0.1:1'));
      expect(definition.settingsSchema.safeParse(simulation.settings('http://x')).success).toBe(
        true,
      );
      const adapter = definition.create('catalog-test', settings, { fetch: () => never() });
      expect(adapter.supplier).toBe(type);
      const error = (() => {
        try {
          definition.parseSettings({});
          return null;
        } catch (caught) {
          return caught;
        }
      })();
      expect(SimdockError.isInstance(error)).toBe(true);
      expect((error as SimdockError).code).toBe('config_error');
      expect((error as SimdockError).message).toContain(type);
      expect((error as SimdockError).message).not.toContain('\n');
      expect(simulation.listsFleet || simulation.importLines().length >= 2).toBe(true);
    },
  );
});

function never(): Promise<Response> {
  return Promise.reject(new Error('no call expected'));
}
