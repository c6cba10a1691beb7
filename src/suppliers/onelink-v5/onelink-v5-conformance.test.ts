import { describeSupplierConformance } from '../spec/supplier-conformance.test-support.js';
import { APPID, BASE_URL, onelinkV5Bench } from './onelink-v5.test-support.js';
import { createOnelinkV5 } from './onelink-v5-adapter.js';

describeSupplierConformance('onelink-v5', () => {
  const { adapter, simulator, clock, yesterday } = onelinkV5Bench();
  const badCredentialsAdapter = createOnelinkV5({
    accountId: 'cmcc-v5-bad',
    baseUrl: BASE_URL,
    appid: APPID,
    password: 'wrong',
    fetch: simulator.fetch,
    clock,
  });
  const knownCards = Array.from({ length: 120 }, (_, index) => {
    const card = simulator.state.fleet.card(index);
    return { iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi, imei: null };
  });
  return {
    adapter,
    badCredentialsAdapter,
    knownCards,
    unknownCard: { iccid: '89860400000000999999' },
    faults: simulator.faults,
    usageDate: yesterday,
    usageMonth: yesterday.slice(0, 7),
  };
});
