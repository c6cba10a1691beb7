import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DEVICE_SLOTS, SimdockError, WIFI_BANDS } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { hasRole, type Principal } from '../../../services/access/access-roles.js';
import {
  devicesRepository,
  deviceView,
  sendDeviceCommand,
} from '../../../services/devices/devices-service.js';
import type { StoredDevice } from '../../../store/repositories/devices-repository.js';
import type { DeviceCommand } from '../../../suppliers/spec/index.js';
import { type ApiEnv, createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  jsonBody,
  jsonResponse,
  queryNumberOr,
} from '../../api-schemas.js';

const DeviceSchema = z
  .looseObject({
    id: z.number().int(),
    account: z.string(),
    supplier: z.string(),
    deviceNo: z.string(),
    imei: z.string().nullable(),
    effectiveSlot: z.enum(DEVICE_SLOTS).nullable(),
    signalDbm: z.number().nullable(),
    batteryPercent: z.number().nullable(),
    online: z.boolean().nullable(),
    slots: z.array(z.looseObject({ slot: z.enum(DEVICE_SLOTS), cardId: z.number().nullable() })),
    wifi: z.array(z.record(z.string(), z.unknown())),
    lastSeenAt: z.string().nullable(),
    syncedAt: z.string().nullable(),
  })
  .openapi('Device', {
    description: 'Wi-Fi and admin passwords are masked unless revealed by an admin or owner',
  });

/** A device in the list, with the console's column names. */
const DeviceRowSchema = DeviceSchema.extend({
  signal: z.number().nullable(),
  battery: z.number().nullable(),
});

const CommandSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('switch-network'), slot: z.enum(DEVICE_SLOTS) }),
    z.strictObject({ type: z.literal('reboot') }),
    z.strictObject({ type: z.literal('reset') }),
    z.strictObject({ type: z.literal('shutdown') }),
    z.strictObject({
      type: z.literal('wifi-visibility'),
      visible: z.boolean(),
      band: z.enum(WIFI_BANDS).optional(),
    }),
    z.strictObject({
      type: z.literal('wifi-credentials'),
      name: z.string().min(1).max(64).optional(),
      password: z.string().min(1).max(64).optional(),
      band: z.enum(WIFI_BANDS).optional(),
    }),
    z.strictObject({ type: z.literal('stop') }),
    z.strictObject({ type: z.literal('resume') }),
  ])
  .openapi('DeviceCommand');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['devices'],
  summary: 'Devices holding the caller’s cards (passwords masked)',
  request: {
    query: z.strictObject({
      account: z.string().min(1).optional(),
      limit: queryNumberOr(200, { min: 1, max: 1000 }),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ devices: z.array(DeviceRowSchema) }), 'Devices'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['devices'],
  summary: 'One device: slots, effective slot, signal, battery, online, Wi-Fi',
  request: {
    params: IdParams,
    query: z.strictObject({
      reveal: z
        .enum(['true', 'false'])
        .optional()
        .openapi({ description: 'Show passwords in clear (admin or owner; audited)' }),
    }),
  },
  responses: { 200: jsonResponse(DeviceSchema, 'The device'), ...ERROR_RESPONSES },
});

const command = createRoute({
  method: 'post',
  path: '/{id}/commands',
  tags: ['devices'],
  summary: 'Send a command to the device through its supplier (operator role)',
  request: { params: IdParams, body: jsonBody(CommandSchema) },
  responses: {
    200: jsonResponse(
      z.object({ accepted: z.boolean(), warnings: z.array(z.string()), device: DeviceSchema }),
      'The supplier’s answer and the device as read after it',
    ),
    ...ERROR_RESPONSES,
  },
});

/** The device when the caller may see it; `not_found` otherwise. */
async function scopedDevice(c: Context<ApiEnv>, id: number, caller: Principal) {
  const context = serviceContext(c);
  const repository = devicesRepository(context);
  const device = (await repository.isVisible(caller, id)) ? await repository.get(id) : null;
  if (!device) throw new SimdockError('not_found', `no device ${id}`, { details: { device: id } });
  return device;
}

function rowView(stored: StoredDevice) {
  const view = deviceView(stored);
  return { ...view, signal: view.signalDbm, battery: view.batteryPercent };
}

/** `/api/v1/devices`: multi-SIM devices holding the caller's cards, and their commands. */
export function devicesRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c);
      const context = serviceContext(c);
      const query = c.req.valid('query');
      const repository = devicesRepository(context);
      const ids = await repository.visibleIds(caller, {
        ...(query.account ? { account: query.account } : {}),
        limit: query.limit,
      });
      const devices: StoredDevice[] = [];
      for (const id of ids) {
        const device = await repository.get(id);
        if (device) devices.push(device);
      }
      return c.json({ devices: devices.map(rowView) }, 200);
    })
    .openapi(get, async (c) => {
      const caller = principal(c);
      const device = await scopedDevice(c, c.req.valid('param').id, caller);
      const reveal = c.req.valid('query').reveal === 'true';
      if (reveal) {
        if (!hasRole(caller.role, 'admin')) {
          throw new SimdockError('permission_denied', 'revealing passwords needs the admin role', {
            details: { required: 'admin', role: caller.role },
          });
        }
        await recordScopedAudit(serviceContext(c).store, caller, {
          action: 'devices.reveal',
          targetType: 'device',
          targetId: String(device.id),
          account: device.account,
          outcome: 'succeeded',
          details: { deviceNo: device.device.deviceNo },
        });
      }
      return c.json(deviceView(device, { reveal }), 200);
    })
    .openapi(command, async (c) => {
      const caller = principal(c, 'operator');
      const stored = await scopedDevice(c, c.req.valid('param').id, caller);
      const result = await sendDeviceCommand(
        serviceContext(c),
        stored.device.deviceNo,
        c.req.valid('json') as DeviceCommand,
        caller.actor,
        { account: stored.account },
      );
      return c.json(
        { accepted: result.accepted, warnings: result.warnings, device: deviceView(result.device) },
        200,
      );
    });
}
