import { z } from 'zod';
import type { AgentOperation } from './agent-paths.js';

/**
 * Response wire shapes of the agent open API (zod 4). The device and card shapes are the
 * document's (agent-openapi-v2-querydeviceflow.txt, "返回响应"), field for field; the shapes of
 * operations published by name only are simdock's guess and reuse the document's field names.
 * Objects are loose (extra fields kept), and numbers also arrive as numeric strings, so a
 * platform that differs in small ways is still read.
 */

/** A number, or a numeric string; empty and absent are null. */
export const wireNumber = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value): number | null => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (value.trim() === '') return null;
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  })
  // Absent keys read as null too (a transformed field is otherwise required in zod 4).
  .default(null);

/** A string (numbers accepted and turned into strings); absent is null, empty stays empty. */
export const wireText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value): string | null =>
    value === null || value === undefined ? null : String(value),
  )
  .default(null);

/** The envelope of every answer: `code` 0 = success (PROTOCOL-NOTES.md). */
export const agentEnvelopeSchema = z.looseObject({
  code: z.union([z.number(), z.string()]).transform((value) => Number(value)),
  message: wireText,
  data: z.unknown().optional(),
  timestamp: wireNumber,
  traceID: wireText,
});
export type AgentEnvelope = z.infer<typeof agentEnvelopeSchema>;

/** A card (`sims[]` in the device response; also the item of batch card info). */
export const agentSimSchema = z.looseObject({
  id: wireNumber,
  memberId: wireNumber,
  gatewayId: wireNumber,
  gatewaySchemeId: wireNumber,
  poolId: wireNumber,
  packageGroupId: wireNumber,
  rechargeGroupId: wireNumber,
  limitRuleId: wireNumber,
  virtualRuleId: wireNumber,
  breakRuleId: wireNumber,
  breakAt: wireText,
  breakRemoveAt: wireText,
  limitFinallyActivateAt: wireText,
  couponGroupId: wireNumber,
  simLayoutId: wireNumber,
  oneCodeId: wireNumber,
  volumePackageId: wireNumber,
  simNo: wireText,
  dockNo: wireText,
  iccid: wireText,
  imsi: wireText,
  imei: wireText,
  deviceNo: wireText,
  sourceType: wireNumber,
  /** The slot: 1 main, 2 vice 1, 3 vice 2, 4 USIM (see AGENT_SLOT_NUMBERS). */
  vice: wireNumber,
  mobile: wireText,
  balance: wireNumber,
  arrearsBalance: wireNumber,
  integral: wireNumber,
  couponCoin: wireNumber,
  payPassword: wireText,
  simStatus: wireNumber,
  activateStatus: wireNumber,
  authStatus: wireNumber,
  authPlatformStatus: wireNumber,
  internetStatus: wireNumber,
  onlineStatus: wireNumber,
  cancelStatus: wireNumber,
  replaceStatus: wireNumber,
  robinStatus: wireNumber,
  activateAt: wireText,
  authAt: wireText,
  authPlatformAt: wireText,
  rechargeTimes: wireNumber,
  speedCode: wireText,
  releaseSpeedAt: wireText,
  speedAt: wireText,
  /** Bytes the package allows. */
  totalFlow: wireNumber,
  /** Bytes used (billed). */
  useFlow: wireNumber,
  realUseFlow: wireNumber,
  dockUserFlow: wireNumber,
  dockResetDate: wireText,
  endAt: wireText,
  roundRobinLevel: wireNumber,
  robinUp: wireNumber,
  robinDown: wireNumber,
  lastRobinAt: wireText,
  lastSimStatusAt: wireText,
  lastActiveAt: wireText,
  lastLoginIp: wireText,
  lastLoginCity: wireText,
  subscribeUrl: wireText,
  cleanAuthAt: wireText,
  swipeAt: wireText,
  swipeRemark: wireText,
  remark: wireText,
  status: wireNumber,
  updatedAt: wireText,
  createdAt: wireText,
});
export type AgentSim = z.infer<typeof agentSimSchema>;

export const agentPositionSchema = z.looseObject({
  cellId: wireText,
  cityCode: wireText,
  lac: wireText,
  lat: wireNumber,
  lng: wireNumber,
  mcc: wireText,
  mnc: wireText,
  provinceCode: wireText,
  regionName: wireText,
  updateAt: wireText,
});

export const agentControlEventSchema = z.looseObject({
  controlAt: wireText,
  eventType: wireNumber,
  eventValue1: wireText,
  eventValue2: wireText,
});

/** The device (`data.device` of queryDeviceFlow / queryDeviceInfo). */
export const agentDeviceSchema = z.looseObject({
  id: wireNumber,
  memberId: wireNumber,
  deviceNo: z.union([z.string(), z.number()]).transform(String),
  imei: wireText,
  mainSimNo: wireText,
  mainIccid: wireText,
  vice1SimNo: wireText,
  vice1Iccid: wireText,
  vice2SimNo: wireText,
  vice2Iccid: wireText,
  usimIccid: wireText,
  usimNo: wireText,
  effectiveSim: wireNumber,
  wisdomNetwork: wireNumber,
  deviceNetwork: wireText,
  customDeviceNetwork: wireText,
  rssi: wireNumber,
  electric: wireNumber,
  onlineStatus: wireNumber,
  openAt: wireText,
  wifiName: wireText,
  wifiPass: wireText,
  showWifi: wireNumber,
  connCount: wireNumber,
  switchWifi: wireNumber,
  maxConnCount: wireNumber,
  wifiEncrypt: wireText,
  wifiName5G: wireText,
  wifiPass5G: wireText,
  showWifi5G: wireNumber,
  connCount5G: wireNumber,
  switchWifi5G: wireNumber,
  maxConnCount5G: wireNumber,
  wifiEncrypt5G: wireText,
  mac: wireText,
  lastTerminalMac: wireText,
  webPassword: wireText,
  position: agentPositionSchema.nullish(),
  softVersion: wireText,
  deviceStatus: wireNumber,
  conned: z.unknown().optional(),
  history: z.unknown().optional(),
  controlResponse: z.array(agentControlEventSchema).nullish(),
  lastDeviceStatusAt: wireText,
  lastDeviceFlowAt: wireText,
  warrantyExpire: wireText,
  status: wireNumber,
  remark: wireText,
  createdAt: wireText,
  updatedAt: wireText,
});
export type AgentDevice = z.infer<typeof agentDeviceSchema>;

/** `data` of queryDeviceFlow and queryDeviceInfo: the device and the cards in it. */
export const agentDeviceDataSchema = z.looseObject({
  device: agentDeviceSchema,
  sims: z
    .array(agentSimSchema)
    .nullish()
    .transform((sims) => sims ?? []),
});
export type AgentDeviceData = z.infer<typeof agentDeviceDataSchema>;

/** A card a batch call could not serve, with the platform's code (guess). */
export const agentFailItemSchema = z.looseObject({
  iccid: wireText,
  simNo: wireText,
  code: wireNumber,
  message: wireText,
});
export type AgentFailItem = z.infer<typeof agentFailItemSchema>;

const failList = z
  .array(agentFailItemSchema)
  .nullish()
  .transform((items) => items ?? []);

/** `data` of a batch call: the cards served and the cards not served (guess). */
export function agentBatchDataSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    list: z
      .array(item)
      .nullish()
      .transform((items) => items ?? []),
    failList,
  });
}

export const agentCardInfoDataSchema = agentBatchDataSchema(agentSimSchema);

export const agentCardStatusSchema = z.looseObject({
  iccid: wireText,
  simNo: wireText,
  simStatus: wireNumber,
  onlineStatus: wireNumber,
  internetStatus: wireNumber,
  lastSimStatusAt: wireText,
});
export const agentCardStatusDataSchema = agentBatchDataSchema(agentCardStatusSchema);

export const agentRealtimeFlowSchema = z.looseObject({
  iccid: wireText,
  simNo: wireText,
  totalFlow: wireNumber,
  useFlow: wireNumber,
  realUseFlow: wireNumber,
  dockUserFlow: wireNumber,
});
export const agentRealtimeFlowDataSchema = agentBatchDataSchema(agentRealtimeFlowSchema);

export const agentMonthFlowSchema = z.looseObject({
  iccid: wireText,
  simNo: wireText,
  /** `yyyyMM`. */
  month: wireText,
  /** Bytes used in the month. */
  useFlow: wireNumber,
});
export const agentMonthFlowDataSchema = agentBatchDataSchema(agentMonthFlowSchema);

const agentCardRefSchema = z.looseObject({ iccid: wireText, simNo: wireText });

export const agentSubscribeDataSchema = agentBatchDataSchema(agentCardRefSchema);

/** `data` of batch stop / restore: accepted asynchronously under a batch number. */
export const agentBatchActionDataSchema = z.looseObject({
  batchNo: z.union([z.string(), z.number()]).transform(String),
  list: z
    .array(agentCardRefSchema)
    .nullish()
    .transform((items) => items ?? []),
  failList,
});
export type AgentBatchActionData = z.infer<typeof agentBatchActionDataSchema>;

export const agentOperationRecordSchema = z.looseObject({
  id: wireNumber,
  batchNo: wireText,
  iccid: wireText,
  simNo: wireText,
  /** `stop`, `restore`, `limitSpeed`, … (guess). */
  operateType: wireText,
  /** 0 processing, 1 succeeded, 2 failed (AGENT_RECORD_STATUS). */
  status: wireNumber,
  remark: wireText,
  createdAt: wireText,
  finishedAt: wireText,
});
export type AgentOperationRecord = z.infer<typeof agentOperationRecordSchema>;

export const agentOperationRecordsDataSchema = z.looseObject({
  total: wireNumber,
  list: z
    .array(agentOperationRecordSchema)
    .nullish()
    .transform((items) => items ?? []),
});

export const agentAccountAssetsDataSchema = z.looseObject({
  balance: wireNumber,
  arrearsBalance: wireNumber,
  cardCount: wireNumber,
  deviceCount: wireNumber,
});

export const agentRealNameUrlDataSchema = z.looseObject({ url: z.string() });

export const agentOrderDataSchema = z.looseObject({
  orderNo: z.union([z.string(), z.number()]).transform(String),
  outOrderNo: wireText,
  status: wireNumber,
});

export const agentTerminalTokenDataSchema = z.looseObject({
  token: z.string(),
  expireAt: wireText,
});

/** `data` of calls that only acknowledge (commands, bindings): anything, usually null or true. */
export const agentAcknowledgementSchema = z.unknown();

/**
 * The `data` schema of every operation's answer, for the client and for servers of this API
 * (simdock's own agent open API answers with these shapes).
 */
export const agentResponseSchemas = {
  batchQueryCardInfo: agentCardInfoDataSchema,
  batchSubscribeCardInfo: agentSubscribeDataSchema,
  batchQueryCardStatus: agentCardStatusDataSchema,
  batchQueryCardRealtimeFlow: agentRealtimeFlowDataSchema,
  batchQueryCardMonthFlow: agentMonthFlowDataSchema,
  batchStopCard: agentBatchActionDataSchema,
  batchRestoreCard: agentBatchActionDataSchema,
  bindCardImei: agentAcknowledgementSchema,
  limitCardSpeed: agentAcknowledgementSchema,
  unlimitCardSpeed: agentAcknowledgementSchema,
  orderPackage: agentOrderDataSchema,
  getRealNameUrl: agentRealNameUrlDataSchema,
  clearRealName: agentAcknowledgementSchema,
  queryCardOperationRecords: agentOperationRecordsDataSchema,
  queryAccountAssets: agentAccountAssetsDataSchema,
  queryDeviceFlow: agentDeviceDataSchema,
  queryDeviceInfo: agentDeviceDataSchema,
  switchDeviceNetwork: agentAcknowledgementSchema,
  rebootDevice: agentAcknowledgementSchema,
  resetDevice: agentAcknowledgementSchema,
  shutdownDevice: agentAcknowledgementSchema,
  updateDeviceWifiShow: agentAcknowledgementSchema,
  updateDeviceWifiAccount: agentAcknowledgementSchema,
  stopDevice: agentAcknowledgementSchema,
  restoreDevice: agentAcknowledgementSchema,
  getTerminalToken: agentTerminalTokenDataSchema,
} satisfies Record<AgentOperation, z.ZodType>;

/** The parsed `data` of an operation's answer. */
export type AgentResponse<Operation extends AgentOperation> = z.output<
  (typeof agentResponseSchemas)[Operation]
>;
