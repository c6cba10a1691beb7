import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { acknowledgeAlert, listAlerts } from '../../api/card-extras-api.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';

/** Open and acknowledged alerts; acknowledging one is an audited action. */
export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const alerts = useQuery({ queryKey: ['alerts'], queryFn: () => listAlerts() });
  const acknowledge = useMutation({
    mutationFn: acknowledgeAlert,
    onSuccess: () => client.invalidateQueries({ queryKey: ['alerts'] }),
  });
  return (
    <section>
      <h1>{t('nav.alerts')}</h1>
      {acknowledge.isError ? <ErrorMessage error={acknowledge.error} /> : null}
      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <ErrorMessage error={alerts.error} />
      ) : alerts.data.length === 0 ? (
        <Empty>{t('alerts.none')}</Empty>
      ) : (
        <table className="data-table">
          <tbody>
            {alerts.data.map((alert) => (
              <tr key={alert.id}>
                <td>{formatInstant(alert.createdAt ?? null, i18n.language)}</td>
                <td>{alert.severity ?? ''}</td>
                <td>{alert.message ?? alert.kind}</td>
                <td>
                  {alert.cardId ? (
                    <Link to="/cards/$cardId" params={{ cardId: alert.cardId }}>
                      #{alert.cardId}
                    </Link>
                  ) : (
                    ''
                  )}
                </td>
                <td>
                  {alert.acknowledgedAt ? (
                    t('alerts.acknowledged')
                  ) : (
                    <button type="button" onClick={() => acknowledge.mutate(alert.id)}>
                      {t('alerts.acknowledge')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
