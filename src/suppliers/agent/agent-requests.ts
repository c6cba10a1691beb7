import { z } from 'zod';
import type { AgentOperation } from './agent-paths.js';

/**
 * Request bodies (form fields) of every operation. The document publishes only queryDeviceFlow's
 * (`deviceNo`); the others reuse the document's field names (`iccid`, `simNo`, `imei`,
 * `speedCode`, `effectiveSim`, `showWifi`, `wifiName`, `wifiPass`) and are simdock's guess.
 * Batch calls name their cards in one comma-separated field, `iccids` or `simNos`.
 * Both the client (to build bodies) and servers of this API (to read them) use these schemas.
 */

const list = z.string().regex(/^[0-9A-Za-z]+(,[0-9A-Za-z]+)*$/, 'a comma-separated list');

/** The cards of a batch call: exactly one of `iccids`, `simNos`. */
export const agentCardsFormSchema = z
  .object({ iccids: list.optional(), simNos: list.optional() })
  .refine((form) => (form.iccids === undefined) !== (form.simNos === undefined), {
    message: 'give exactly one of iccids, simNos',
  });

/** One card: exactly one of `iccid`, `simNo`. */
export const agentCardFormSchema = z
  .object({ iccid: z.string().min(1).optional(), simNo: z.string().min(1).optional() })
  .refine((form) => (form.iccid === undefined) !== (form.simNo === undefined), {
    message: 'give exactly one of iccid, simNo',
  });

const deviceForm = z.object({ deviceNo: z.string().min(1) });
const flag = z.enum(['0', '1']);

export const agentRequestSchemas = {
  batchQueryCardInfo: agentCardsFormSchema,
  batchSubscribeCardInfo: z.intersection(
    agentCardsFormSchema,
    z.object({ notifyUrl: z.url().optional() }),
  ),
  batchQueryCardStatus: agentCardsFormSchema,
  batchQueryCardRealtimeFlow: agentCardsFormSchema,
  batchQueryCardMonthFlow: z.intersection(
    agentCardsFormSchema,
    z.object({ month: z.string().regex(/^\d{4}(0[1-9]|1[0-2])$/, 'yyyyMM') }),
  ),
  batchStopCard: agentCardsFormSchema,
  batchRestoreCard: agentCardsFormSchema,
  bindCardImei: z.intersection(
    agentCardFormSchema,
    z.object({ imei: z.string().regex(/^\d{15,17}$/, '15–17 digits') }),
  ),
  limitCardSpeed: z.intersection(agentCardFormSchema, z.object({ speedCode: z.string().min(1) })),
  unlimitCardSpeed: agentCardFormSchema,
  orderPackage: z
    .object({
      iccid: z.string().min(1).optional(),
      simNo: z.string().min(1).optional(),
      deviceNo: z.string().min(1).optional(),
      packageId: z.string().min(1),
      /** The caller's order number: the platform refuses it twice, so no order is placed twice. */
      outOrderNo: z.string().min(1).max(64),
    })
    .refine(
      (form) =>
        [form.iccid, form.simNo, form.deviceNo].filter((value) => value !== undefined).length === 1,
      { message: 'give exactly one of iccid, simNo, deviceNo' },
    ),
  getRealNameUrl: agentCardFormSchema,
  clearRealName: agentCardFormSchema,
  queryCardOperationRecords: z.object({
    iccid: z.string().min(1).optional(),
    simNo: z.string().min(1).optional(),
    batchNo: z.string().min(1).optional(),
    page: z.coerce.number().int().min(1).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).optional(),
  }),
  queryAccountAssets: z.object({}),
  queryDeviceFlow: deviceForm,
  queryDeviceInfo: deviceForm,
  switchDeviceNetwork: deviceForm.extend({ effectiveSim: z.enum(['1', '2', '3', '4']) }),
  rebootDevice: deviceForm,
  resetDevice: deviceForm,
  shutdownDevice: deviceForm,
  updateDeviceWifiShow: deviceForm
    .extend({ showWifi: flag.optional(), showWifi5G: flag.optional() })
    .refine((form) => form.showWifi !== undefined || form.showWifi5G !== undefined, {
      message: 'give showWifi or showWifi5G',
    }),
  updateDeviceWifiAccount: deviceForm
    .extend({
      wifiName: z.string().min(1).max(32).optional(),
      wifiPass: z.string().min(8).max(63).optional(),
      wifiName5G: z.string().min(1).max(32).optional(),
      wifiPass5G: z.string().min(8).max(63).optional(),
    })
    .refine(
      (form) =>
        form.wifiName !== undefined ||
        form.wifiPass !== undefined ||
        form.wifiName5G !== undefined ||
        form.wifiPass5G !== undefined,
      { message: 'give at least one Wi-Fi name or password' },
    ),
  stopDevice: deviceForm,
  restoreDevice: deviceForm,
  getTerminalToken: deviceForm,
} satisfies Record<AgentOperation, z.ZodType>;

/** The form fields of an operation, as the client sends them. */
export type AgentRequest<Operation extends AgentOperation> = z.input<
  (typeof agentRequestSchemas)[Operation]
>;

/** Wi-Fi passwords the platform accepts (WPA2: 8–63 characters, guess from WPA2 itself). */
export const AGENT_WIFI_PASSWORD_LENGTH = { min: 8, max: 63 } as const;
