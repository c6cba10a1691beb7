import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { Chart, type ChartOption } from '../../components/chart.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { toMegabytes } from '../../format.js';

/** A bar chart of megabytes per period with a zoom slider (and mouse-wheel zoom). */
export function usageOption(labels: string[], bytes: number[], unitLabel: string): ChartOption {
  return {
    grid: { left: 48, right: 16, top: 24, bottom: 64 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', name: unitLabel },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
    series: [{ type: 'bar', data: bytes.map(toMegabytes), itemStyle: { color: '#2f6fdb' } }],
  };
}

/** Daily and monthly usage of one card. */
export function CardUsageCharts(props: { cardId: number }) {
  const { t } = useTranslation();
  const path = { id: props.cardId };
  const daily = useQuery({
    queryKey: ['card-daily', props.cardId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/cards/{id}/usage/daily', { params: { path, query: {} } })),
  });
  const monthly = useQuery({
    queryKey: ['card-monthly', props.cardId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/cards/{id}/usage/monthly', { params: { path, query: {} } })),
  });
  const dailyOption = useMemo(
    () =>
      usageOption(
        (daily.data?.days ?? []).map((day) => day.date),
        (daily.data?.days ?? []).map((day) => day.bytes),
        'MB',
      ),
    [daily.data],
  );
  const monthlyOption = useMemo(
    () =>
      usageOption(
        (monthly.data?.months ?? []).map((month) => month.month),
        (monthly.data?.months ?? []).map((month) => month.bytes),
        'MB',
      ),
    [monthly.data],
  );
  return (
    <div className="grid-2">
      <div className="panel" data-testid="daily-usage">
        <h2>{t('card.dailyUsage')}</h2>
        {daily.isPending ? (
          <Loading />
        ) : daily.isError ? (
          <ErrorMessage error={daily.error} />
        ) : daily.data.days.length === 0 ? (
          <Empty>{t('card.noUsage')}</Empty>
        ) : (
          <Chart option={dailyOption} label={t('card.dailyUsage')} />
        )}
      </div>
      <div className="panel" data-testid="monthly-usage">
        <h2>{t('card.monthlyUsage')}</h2>
        {monthly.isPending ? (
          <Loading />
        ) : monthly.isError ? (
          <ErrorMessage error={monthly.error} />
        ) : monthly.data.months.length === 0 ? (
          <Empty>{t('card.noUsage')}</Empty>
        ) : (
          <Chart option={monthlyOption} label={t('card.monthlyUsage')} />
        )}
      </div>
    </div>
  );
}
