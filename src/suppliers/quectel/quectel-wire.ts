import { z } from 'zod';
import { SupplierError } from '../spec/index.js';

/**
 * Lenient wire schemas. The document's examples disagree with its own field tables
 * (quectel-connectivity-api-v3.15.md): numbers sent as strings (§2.1.6), `List` vs `list`
 * (§2.1.6), `msisdns`/`voicewitelist`/`socode`/`scode`/`flowratenum` spellings (§2.1.5, §2.1.6),
 * year-package fields at the top level instead of under `data` (§2.1.15). Every schema here
 * accepts both forms, keeps unknown fields, and turns absent values into null (never 0).
 */

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    const number = Number(text);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A number that may arrive as a string; null when absent or not numeric. */
export const wireNumber = z.unknown().optional().transform(toNumber);
/** A string that may arrive as a number; null when absent. */
export const wireText = z.unknown().optional().transform(toText);
/** A flag sent as `true`/`false` or `"true"`/`"false"` (§2.1.16 sends a bare boolean). */
export const wireBoolean = z
  .unknown()
  .optional()
  .transform((value): boolean | null => {
    if (typeof value === 'boolean') return value;
    const text = toText(value)?.trim().toLowerCase();
    return text === 'true' ? true : text === 'false' ? false : null;
  });

/** Copies the first present alias into the canonical name when the canonical is absent. */
function withAliases(aliases: Record<string, string[]>) {
  return (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const record: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [canonical, names] of Object.entries(aliases)) {
      if (record[canonical] !== undefined) continue;
      const found = names.find((name) => record[name] !== undefined);
      if (found) record[canonical] = record[found];
    }
    return record;
  };
}

/** The envelope every answer carries (§1.7 (6)). */
export const envelopeSchema = z.looseObject({
  resultCode: wireNumber,
  errorMessage: wireText,
});

/** Paging of list methods (§2.1.4); `sms.sendlog` sends the same fields at the top level. */
export const pageSchema = z
  .looseObject({
    page: wireNumber,
    pageSize: wireNumber,
    totalCount: wireNumber,
    totalPage: wireNumber,
  })
  .nullish()
  .transform((page) => ({
    page: page?.page ?? null,
    pageSize: page?.pageSize ?? null,
    totalCount: page?.totalCount ?? null,
    totalPage: page?.totalPage ?? null,
  }));
export type QuectelPage = z.output<typeof pageSchema>;

/** The list under the first of `names` that holds an array (`list` or `List`, §2.1.6). */
export function listField(body: Record<string, unknown>, ...names: string[]): unknown[] {
  for (const name of names) {
    const value = body[name];
    if (Array.isArray(value)) return value;
  }
  return [];
}

/**
 * A card as `card.list`, `card.info` and `cards.info` describe it (§2.1.4–§2.1.6), under the
 * card.list names: `carrier` (`supplier` elsewhere), `activeDate` (`activateTime`), `msisdn`
 * (`msisdns` in the §2.1.6 table), `spcode` (`scode`, `socode`), `flowratenumber`
 * (`flowratenum`), `voicewhitelist` (`voicewitelist`). Flows are MB with decimals (§1.8 (1)).
 */
export const cardSchema = z.preprocess(
  withAliases({
    msisdn: ['msisdns', 'MSISDN'],
    iccid: ['ICCID'],
    carrier: ['supplier'],
    activeDate: ['activateTime'],
    spcode: ['scode', 'socode'],
    flowratenumber: ['flowratenum'],
    voicewhitelist: ['voicewitelist'],
  }),
  z.looseObject({
    msisdn: wireText,
    iccid: wireText,
    imsi: wireText,
    imei: wireText,
    companyid: wireNumber,
    billingid: wireNumber,
    billingCode: wireText,
    productCode: wireText,
    carrier: wireText,
    spcode: wireText,
    cardType: wireText,
    networkType: wireText,
    setMeal: wireText,
    flowratenumber: wireNumber,
    servicecycle: wireNumber,
    setmealmonths: wireNumber,
    active: wireText,
    openDate: wireText,
    allotDate: wireText,
    activeDate: wireText,
    expiryDate: wireText,
    cycleStartDate: wireText,
    cycleEndDate: wireText,
    status: wireText,
    gprsstatus: wireText,
    islock: wireText,
    pausereason: wireText,
    monthflow: wireNumber,
    flow: wireNumber,
    residueFlow: wireNumber,
    realnamestatus: wireNumber,
    callstatus: wireNumber,
    monthvoiceflow: wireNumber,
    voiceflow: wireNumber,
    voicewhitelist: wireText,
  }),
);
export type QuectelCard = z.output<typeof cardSchema>;

/** One row of `monthflow.list` (§2.1.7) or `voice.monthflow.list` (§2.1.11). */
export const monthFlowRowSchema = z.looseObject({
  msisdn: wireText,
  iccid: wireText,
  monthflow: wireNumber,
  flow: wireNumber,
});
export type QuectelMonthFlowRow = z.output<typeof monthFlowRowSchema>;

/** One day of `dayflow.list` (§2.1.8) or `voice.dayflow.list` (§2.1.12): date `yyyyMMdd`. */
export const dayFlowRowSchema = z.looseObject({ date: wireText, flow: wireNumber });
export type QuectelDayFlowRow = z.output<typeof dayFlowRowSchema>;

/** One row of `cards.monthflow` (§2.1.10): `number` is the MSISDN or the ICCID asked by. */
export const numberFlowRowSchema = z.looseObject({
  number: wireText,
  monthflow: wireNumber,
  cycleflow: wireNumber,
});
export type QuectelNumberFlowRow = z.output<typeof numberFlowRowSchema>;

/** A billing group (§2.1.1). */
export const billingGroupSchema = z.looseObject({
  id: wireNumber,
  name: wireText,
  code: wireText,
  carrier: wireText,
  setMeal: wireText,
  cardType: wireText,
  productCode: wireText,
  isflowshare: wireNumber,
});
export type QuectelBillingGroup = z.output<typeof billingGroupSchema>;

const statisticsShape = {
  billingCode: wireText,
  billingName: wireText,
  useFlow: wireNumber,
  sumFlow: wireNumber,
  residualFlow: wireNumber,
  cardSum: wireNumber,
  isflowshare: wireNumber,
};
/** Billing-group statistics (§2.1.2), with sub-groups in `rows` (§2.1.3). */
export const billingStatisticsSchema = z.looseObject({
  ...statisticsShape,
  rows: z
    .array(z.looseObject(statisticsShape))
    .nullish()
    .transform((rows) => rows ?? []),
});
export type QuectelBillingStatistics = z.output<typeof billingStatisticsSchema>;

/** Alarm settings of one card (§2.1.13). */
export const alarmInfoSchema = z.looseObject({
  alarmid: wireNumber,
  msisdn: wireText,
  notifyemails: wireText,
  alarmthreshold1: wireText,
  alarmthreshold2: wireText,
  alarmthreshold3: wireText,
  alarmstatus: wireNumber,
  pauseflowthreshold: wireText,
  pausestatus: wireNumber,
  createdatetime: wireNumber,
  updatedatetime: wireNumber,
  isdelete: wireNumber,
});
export type QuectelAlarmInfo = z.output<typeof alarmInfoSchema>;

/** An active flow package (§2.1.14). */
export const flowPackageSchema = z.looseObject({
  tfName: wireText,
  tfSize: wireNumber,
  tfType: wireText,
  startTime: wireText,
  endTime: wireText,
});
export type QuectelFlowPackage = z.output<typeof flowPackageSchema>;

/** Year packages (§2.1.15): the table puts them under `data`, the example at the top level. */
export const yearPackagesSchema = z.looseObject({
  flow: wireNumber,
  useFlow: wireNumber,
  totalFlow: wireNumber,
  residueFlow: wireNumber,
  createTime: wireText,
  packageGroups: z
    .array(
      z.looseObject({
        orderId: wireText,
        name: wireText,
        useFlow: wireNumber,
        totalFlow: wireNumber,
        beginTime: wireText,
        endTime: wireText,
        createTime: wireText,
      }),
    )
    .nullish()
    .transform((groups) => groups ?? []),
});
export type QuectelYearPackages = z.output<typeof yearPackagesSchema>;

/** Realtime status (§2.3.1); the `…b` fields are MB numbers. */
export const realtimeStatusSchema = z.looseObject({
  issuccess: wireBoolean,
  onlinestatus: wireText,
  ip: wireText,
  apn: wireText,
  gprsstatus: wireText,
  totalFlow: wireText,
  usedFlow: wireText,
  surpFlow: wireText,
  totalFlowb: wireNumber,
  usedFlowb: wireNumber,
  surpFlowb: wireNumber,
});
export type QuectelRealtimeStatus = z.output<typeof realtimeStatusSchema>;

/** Coarse location (§2.3.2): upper-case wire names; the telecom-only fields may be absent. */
export const locationSchema = z.looseObject({
  MSISDN: wireText,
  ICCID: wireText,
  LATITUDE: wireText,
  LONGITUDE: wireText,
  POSITIONRESULT: wireText,
  MSID_TYPE: wireText,
  MSID: wireText,
  LOCALTIME: wireText,
});
export type QuectelLocation = z.output<typeof locationSchema>;

/** One sent message of `sms.send` (§2.3.3): the table calls the MSISDN field `msisdns`. */
export const smsSentSchema = z.preprocess(
  withAliases({ msisdn: ['msisdns'] }),
  z.looseObject({ msisdn: wireText, iccid: wireText, sms_id: wireText }),
);
export type QuectelSmsSent = z.output<typeof smsSentSchema>;

/** One entry of `sms.sendlog` (§2.3.4): status 100 submitted, 200 delivered, 400 failed. */
export const smsLogSchema = z.looseObject({
  msisdn: wireText,
  content: wireText,
  sendTime: wireText,
  sms_id: wireText,
  status: wireNumber,
});
export type QuectelSmsLog = z.output<typeof smsLogSchema>;

/** A flow-package product (§2.5.1): `productId` and `price` arrive as numbers or strings. */
export const flowProductSchema = z.looseObject({
  telecomOperatorName: wireText,
  productId: wireText,
  price: wireNumber,
  productName: wireText,
  flow: wireNumber,
  flowType: wireText,
});
export type QuectelFlowProduct = z.output<typeof flowProductSchema>;

/** A renewal product (§2.5.2). */
export const renewalProductSchema = z.looseObject({
  telecomOperatorName: wireText,
  productId: wireText,
  price: wireNumber,
  productName: wireText,
  flow: wireNumber,
  setmealMonths: wireNumber,
  monthPrice: wireNumber,
});
export type QuectelRenewalProduct = z.output<typeof renewalProductSchema>;

/** Order details (§2.5.5); `orderStatus` is 订单待处理, 订单完成 or 订单失败. */
export const orderDetailsSchema = z.looseObject({
  result: wireText,
  orderType: wireText,
  iccid: wireText,
  productname: wireText,
  orderStatus: wireText,
  createTime: wireText,
  completeTime: wireText,
  remark: wireText,
  productprice: wireNumber,
  cycle: wireNumber,
  months: wireNumber,
  monthPrice: wireNumber,
  externalId: wireText,
});
export type QuectelOrderDetails = z.output<typeof orderDetailsSchema>;

/** One wallet movement (§2.5.7): negative `changeMoney` is a charge. */
export const walletEntrySchema = z.looseObject({
  changeMoney: wireNumber,
  iccid: wireText,
  handleTime: wireText,
  orderNo: wireText,
  handleType: wireText,
  remark: wireText,
  productName: wireText,
  cycle: wireNumber,
  productPrice: wireNumber,
});
export type QuectelWalletEntry = z.output<typeof walletEntrySchema>;

/** A card-list file task (§2.2.5): capitalised wire names; status text 执行中 or 文件生成成功. */
export const fileTaskSchema = z.looseObject({
  TaskId: wireNumber,
  AddTime: wireNumber,
  EndTime: wireNumber,
  TaskStatus: wireText,
});
export type QuectelFileTask = z.output<typeof fileTaskSchema>;

/**
 * Parses one wire value leniently; a value no leniency can read (an array where an object
 * belongs, …) is the supplier's fault: `supplier_bad_response`, never a bare ZodError.
 */
export function parseWire<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SupplierError(
    'supplier_bad_response',
    `unreadable answer: ${z.prettifyError(result.error)}`,
    {
      retryable: false,
      details: { issues: result.error.issues.slice(0, 5) },
    },
  );
}

/** Parses every element of a list leniently. */
export function parseList<T extends z.ZodType>(schema: T, items: unknown[]): z.output<T>[] {
  return items.map((item) => parseWire(schema, item));
}
