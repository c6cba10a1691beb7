import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { StatusBadge } from '../../components/status-badge.js';
import { formatBytes, formatInstant } from '../../format.js';
import { hasRole, useMe } from '../../session.js';

/** A device as the API shows it (src/services/devices/devices-service.ts `deviceView`). */
interface DeviceView {
  id: number;
  account: string;
  supplier: string;
  deviceNo: string;
  imei: string | null;
  slots: {
    slot: string;
    iccid: string | null;
    msisdn: string | null;
    /** The card's status as the supplier sent it with the device: mapped status and raw value. */
    status: { status: string; raw: string | null } | null;
    usedBytes: number | null;
    totalBytes: number | null;
    cardId: number | null;
  }[];
  effectiveSlot: string | null;
  signalDbm: number | null;
  batteryPercent: number | null;
  online: boolean | null;
  wifi: { band: string; name: string | null; password: string | null; visible: boolean | null }[];
  lastSeenAt: string | null;
  syncedAt: string | null;
}

/** Commands without arguments the detail offers (switch-network is per slot). */
const SIMPLE_COMMANDS = ['reboot', 'stop', 'resume', 'reset'] as const;
type Command = { type: string; slot?: string };

function unwrapDevice(answer: DeviceView | { device: DeviceView }): DeviceView {
  return 'device' in answer ? answer.device : answer;
}

/** A slot's name in the console's language (`main` → 主卡槽). */
function slotName(slot: string, t: TFunction) {
  return t(`deviceSlots.${slot}`, { defaultValue: slot });
}

function yesNo(value: boolean | null, t: (key: string) => string): string {
  return value === null ? '—' : value ? t('devices.yes') : t('devices.no');
}

/** One device: slots and their cards, effective slot, radio, battery, Wi-Fi, commands. */
function DeviceDetail(props: { id: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const me = useMe();
  const [reveal, setReveal] = useState(false);
  const [command, setCommand] = useState<Command | null>(null);
  const canReveal = me.data ? hasRole(me.data.role, 'admin') : false;
  const device = useQuery({
    queryKey: ['device', props.id, reveal],
    queryFn: async () =>
      unwrapDevice(
        await request(
          'GET',
          `/api/v1/devices/${encodeURIComponent(props.id)}${reveal ? '?reveal=true' : ''}`,
        ),
      ),
  });
  const send = useMutation({
    mutationFn: (body: Command) =>
      request('POST', `/api/v1/devices/${encodeURIComponent(props.id)}/commands`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['device', props.id] }),
    onSettled: () => setCommand(null),
  });
  if (device.isPending) return <Loading />;
  if (device.isError) return <ErrorMessage error={device.error} />;
  const view = device.data;
  const allowed = me.data ? hasRole(me.data.role, 'operator') : false;
  return (
    <div data-testid="device-detail">
      <div className="grid-3">
        <div className="panel">
          <h2>{t('devices.state')}</h2>
          <dl className="facts">
            <div>
              <dt>IMEI</dt>
              <dd className="mono">{view.imei ?? view.deviceNo}</dd>
            </div>
            <div>
              <dt>{t('devices.online')}</dt>
              <dd data-testid="device-online">{yesNo(view.online, t)}</dd>
            </div>
            <div>
              <dt>{t('devices.signal')}</dt>
              <dd>{view.signalDbm === null ? '—' : `${view.signalDbm} dBm`}</dd>
            </div>
            <div>
              <dt>{t('devices.battery')}</dt>
              <dd>{view.batteryPercent === null ? '—' : `${view.batteryPercent}%`}</dd>
            </div>
            <div>
              <dt>{t('devices.effectiveSlot')}</dt>
              <dd data-testid="effective-slot">
                {view.effectiveSlot ? slotName(view.effectiveSlot, t) : '—'}
              </dd>
            </div>
            <div>
              <dt>{t('devices.lastSeen')}</dt>
              <dd>{formatInstant(view.lastSeenAt, i18n.language)}</dd>
            </div>
          </dl>
        </div>
        <div className="panel" data-testid="device-wifi">
          <h2>Wi-Fi</h2>
          {view.wifi.length === 0 ? (
            <Empty />
          ) : (
            <dl className="facts">
              {view.wifi.map((wifi) => (
                <div key={wifi.band}>
                  <dt>
                    {wifi.band} · {wifi.name ?? '—'}
                  </dt>
                  <dd className="mono">{wifi.password ?? '—'}</dd>
                </div>
              ))}
            </dl>
          )}
          {canReveal ? (
            <button type="button" onClick={() => setReveal(!reveal)}>
              {reveal ? t('devices.hidePassword') : t('devices.revealPassword')}
            </button>
          ) : (
            <p className="muted">{t('devices.revealNotAllowed')}</p>
          )}
        </div>
        <div className="panel">
          <h2>{t('devices.commands')}</h2>
          <div className="actions">
            {SIMPLE_COMMANDS.map((type) => (
              <button
                key={type}
                type="button"
                disabled={!allowed || send.isPending}
                title={allowed ? undefined : t('errors.permission_denied')}
                onClick={() => setCommand({ type })}
              >
                {t(`devices.commandTypes.${type}`)}
              </button>
            ))}
          </div>
          {send.isError ? <ErrorMessage error={send.error} /> : null}
          {send.isSuccess ? <p role="status">{t('devices.commandAccepted')}</p> : null}
        </div>
      </div>
      <div className="panel">
        <h2>{t('devices.slots')}</h2>
        <div className="table-wrap">
          <table className="data-table" data-testid="device-slots">
            <thead>
              <tr>
                <th>{t('devices.slot')}</th>
                <th>ICCID</th>
                <th>{t('cards.columns.status')}</th>
                <th>{t('devices.cycleUsage')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {view.slots.map((slot) => (
                <tr key={slot.slot} className={slot.slot === view.effectiveSlot ? 'selected' : ''}>
                  <td>
                    {slotName(slot.slot, t)}
                    {slot.slot === view.effectiveSlot ? ` (${t('devices.effective')})` : ''}
                  </td>
                  <td className="mono">
                    {slot.cardId ? (
                      <Link to="/cards/$cardId" params={{ cardId: slot.cardId }}>
                        {slot.iccid ?? `#${slot.cardId}`}
                      </Link>
                    ) : (
                      (slot.iccid ?? t('devices.emptySlot'))
                    )}
                  </td>
                  <td>
                    {slot.status ? (
                      <StatusBadge status={slot.status.status} raw={slot.status.raw} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {formatBytes(slot.usedBytes)} / {formatBytes(slot.totalBytes)}
                  </td>
                  <td>
                    {slot.iccid && slot.slot !== view.effectiveSlot ? (
                      <button
                        type="button"
                        disabled={!allowed || send.isPending}
                        onClick={() => setCommand({ type: 'switch-network', slot: slot.slot })}
                      >
                        {t('devices.commandTypes.switch-network')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {command ? (
        <ConfirmDialog
          title={t(`devices.commandTypes.${command.type}`)}
          confirmLabel={t(`devices.commandTypes.${command.type}`)}
          busy={send.isPending}
          onConfirm={() => send.mutate(command)}
          onCancel={() => setCommand(null)}
        >
          <p>{t('devices.confirmCommand', { device: view.imei ?? view.deviceNo })}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** A device of the URL, `/devices/7`: its slots, radio, Wi-Fi and commands. */
export function DevicePage() {
  const { t } = useTranslation();
  const { deviceId } = useParams({ from: '/devices/$deviceId' });
  return (
    <section>
      <h1>
        <Link to="/devices">{t('nav.devices')}</Link> / {deviceId}
      </h1>
      <DeviceDetail id={deviceId} />
    </section>
  );
}

/** Multi-SIM devices, each linking to its detail. */
export function DevicesPage() {
  const { t } = useTranslation();
  const devices = useQuery({
    queryKey: ['devices'],
    queryFn: async () =>
      (await request<{ devices: DeviceView[] }>('GET', '/api/v1/devices')).devices,
  });
  return (
    <section>
      <h1>{t('nav.devices')}</h1>
      {devices.isPending ? (
        <Loading />
      ) : devices.isError ? (
        <ErrorMessage error={devices.error} />
      ) : devices.data.length === 0 ? (
        <Empty>{t('devices.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="devices-table">
            <thead>
              <tr>
                <th>IMEI</th>
                <th>{t('cards.columns.account')}</th>
                <th>{t('devices.online')}</th>
                <th>{t('devices.signal')}</th>
                <th>{t('devices.battery')}</th>
                <th>{t('devices.effectiveSlot')}</th>
              </tr>
            </thead>
            <tbody>
              {devices.data.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link
                      to="/devices/$deviceId"
                      params={{ deviceId: String(row.id) }}
                      className="mono"
                    >
                      {row.imei ?? row.deviceNo}
                    </Link>
                  </td>
                  <td>{row.account}</td>
                  <td>{yesNo(row.online, t)}</td>
                  <td>{row.signalDbm === null ? '—' : `${row.signalDbm} dBm`}</td>
                  <td>{row.batteryPercent === null ? '—' : `${row.batteryPercent}%`}</td>
                  <td>{row.effectiveSlot ? slotName(row.effectiveSlot, t) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
