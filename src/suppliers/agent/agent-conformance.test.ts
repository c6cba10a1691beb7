import { ManualClock } from '../../domain/index.js';
import { describeSupplierConformance } from '../spec/supplier-conformance.test-support.js';
import { agentDefinition } from './agent-settings.js';
import { createAgentSimulator } from './agent-simulator.js';

describeSupplierConformance('agent', () => {
  const clock = new ManualClock(Date.UTC(2025, 8, 18, 2, 0, 0), { autoAdvance: true });
  const simulator = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size: 200,
    devices: 2,
    clock,
  });
  const runtime = { fetch: simulator.fetch, clock };
  const settings = { baseUrl: 'http://agent.test', appId: 'app001', secret: 'SECRETKEY123' };
  const knownCards = Array.from({ length: 101 }, (_, index) => {
    const card = simulator.fleet.cards.card(index);
    // The platform sends `imsi` empty, as in the document's example: unknown.
    return { iccid: card.iccid, msisdn: card.msisdn, imsi: null, imei: null };
  });
  return {
    adapter: agentDefinition.create('agent-1', agentDefinition.parseSettings(settings), runtime),
    badCredentialsAdapter: agentDefinition.create(
      'agent-bad',
      agentDefinition.parseSettings({ ...settings, secret: 'WRONG' }),
      runtime,
    ),
    knownCards,
    unknownCard: { iccid: '89861199999999999999' },
    faults: simulator.faults,
    usageMonth: '2025-08',
  };
});
