import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuectelSimulator, QUECTEL_SIMULATOR_PATH } from '../src/suppliers/quectel/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

describe('simdock cards timeline', () => {
  const sandbox = new CliSandbox();
  const quectel = createQuectelSimulator({
    appKey: 'cli-timeline-quectel',
    secret: 'cli-timeline-quectel-secret',
    size: 2,
  });
  const iccid = quectel.fleet.pattern.card(0).iccid;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const server = await serveOnLoopback(quectel.app);
    close = server.close;
    sandbox.environment.QUECTEL_SECRET = 'cli-timeline-quectel-secret';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: quectel
    type: quectel
    baseUrl: ${server.origin}${QUECTEL_SIMULATOR_PATH}
    appKey: cli-timeline-quectel
    secret: \${QUECTEL_SECRET}
`,
    );
    sandbox.write('cards.txt', `${iccid}\n`);
    expect((await sandbox.run('cards', 'import', 'cards.txt', '--account', 'quectel')).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('lists what was done to the card, newest first, and refuses an unknown kind', async () => {
    const set = await sandbox.run('cards', 'cap', 'set', '--size', '500MB', iccid, '--yes');
    expect(set.code).toBe(0);
    const timeline = await sandbox.json<{
      items: { kind: string; action?: string; actor?: string }[];
      nextBefore: string | null;
    }>('cards', 'timeline', iccid, '--kinds', 'action');
    expect(timeline.items[0]).toMatchObject({ kind: 'action', action: 'cards.data-cap-set' });
    expect(timeline.nextBefore).toBeNull();
    const text = await sandbox.run('cards', 'timeline', iccid);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^\d{4}-\d{2}-\d{2}T\S+\s+action\s+cards\.data-cap-set succeeded by /m,
    );
    const refused = await sandbox.run('cards', 'timeline', iccid, '--kinds', 'bogus');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('"bogus" is none of');
  });
});
