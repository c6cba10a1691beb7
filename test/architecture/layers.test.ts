import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** Runs dependency-cruiser with the project's rules; resolves with its exit code and report. */
async function cruise(cwd: string, paths: string[]): Promise<{ code: number; report: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [DEPCRUISE, ...paths, '--config', CONFIG, '--output-type', 'err'],
      { cwd, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, report: stdout };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, report: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('the layers of DESIGN.md', () => {
  it('hold for the whole tree: no cycles, no upward imports, suppliers apart', async () => {
    const { code, report } = await cruise(ROOT, ['src', 'web/src']);
    expect(report.trim().split('\n').slice(-40).join('\n')).not.toMatch(/error/);
    expect(code).toBe(0);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'simdock-layers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  };

  it('are enforced: an upward import, a cycle and a supplier reaching another are reported', async () => {
    write('tsconfig.json', '{"compilerOptions":{"module":"nodenext","strict":true}}');
    write('src/store/rows.ts', 'export const rows = 1;\n');
    write(
      'src/domain/ids.ts',
      "import { rows } from '../store/rows.js';\nexport const ids = rows;\n",
    );
    write('src/services/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('src/services/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    write(
      'src/suppliers/one/one.ts',
      "import { two } from '../two/two.js';\nexport const one = two;\n",
    );
    write('src/suppliers/two/two.ts', 'export const two = 2;\n');
    const { code, report } = await cruise(scratch, ['src']);
    expect(code).not.toBe(0);
    expect(report).toContain('domain-imports-nothing-of-ours: src/domain/ids.ts');
    expect(report).toContain('no-upward-from-domain: src/domain/ids.ts');
    expect(report).toContain('no-cycles: src/services/a.ts');
    expect(report).toContain(
      'supplier-folder-imports-only-domain-and-spec: src/suppliers/one/one.ts',
    );
  });
});
