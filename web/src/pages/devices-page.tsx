import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../components/resource-table.js';
import { Link } from '../router.js';

interface DeviceRow {
  id: number | string;
  imei?: string;
  account?: string;
  online?: boolean | null;
  battery?: number | null;
  signal?: number | null;
}

/** Multi-SIM devices; a device's detail lists its slots. */
export function DevicesPage(props: { deviceId?: string }) {
  const { t } = useTranslation();
  return (
    <section>
      <h1>
        {props.deviceId ? (
          <>
            <Link to="/devices">{t('nav.devices')}</Link> / {props.deviceId}
          </>
        ) : (
          t('nav.devices')
        )}
      </h1>
      <ResourceTable<DeviceRow>
        path="/api/v1/devices"
        listKey="devices"
        rowKey={(row) => row.id}
        empty={t('devices.none')}
        columns={[
          {
            header: 'IMEI',
            cell: (row) => <Link to={`/devices/${row.id}`}>{row.imei ?? String(row.id)}</Link>,
          },
          { header: t('cards.columns.account'), cell: (row) => row.account ?? '—' },
          {
            header: t('devices.online'),
            cell: (row) =>
              row.online === null || row.online === undefined
                ? '—'
                : row.online
                  ? t('devices.yes')
                  : t('devices.no'),
          },
          { header: t('devices.signal'), cell: (row) => row.signal ?? '—' },
          {
            header: t('devices.battery'),
            cell: (row) => ((row.battery ?? null) === null ? '—' : `${row.battery}%`),
          },
        ]}
      />
    </section>
  );
}
