import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CARD_STATUSES } from '../../components/status-badge.js';

/** The URL keys the cards page keeps its filters in (the API's query names). */
export const FILTER_KEYS = ['q', 'status', 'account', 'supplier', 'tenant', 'tag'] as const;

const MEGABYTE = 1024 * 1024;

/**
 * The same filters in the card-filter language bulk jobs take (`status=active AND usage>=5MB`),
 * or null when one of them (search, tenant, tag) has no equivalent there.
 */
export function filterExpression(search: URLSearchParams): string | null {
  if (search.get('q') || search.get('tenant') || search.get('tag')) return null;
  const conditions: string[] = [];
  for (const key of ['status', 'account', 'supplier'] as const) {
    const value = search.get(key);
    if (value) conditions.push(`${key}=${value}`);
  }
  const min = search.get('usageMin');
  const max = search.get('usageMax');
  if (min) conditions.push(`usage>=${min}`);
  if (max) conditions.push(`usage<=${max}`);
  return conditions.length > 0 ? conditions.join(' AND ') : null;
}

/** The filter bar: every change lands in the URL through `onChange`. */
export function CardsFilters(props: {
  search: URLSearchParams;
  accounts: string[];
  suppliers: string[];
  onChange: (changes: Record<string, string | null>) => void;
}) {
  const { t } = useTranslation();
  const { search, onChange } = props;
  const [query, setQuery] = useState(search.get('q') ?? '');
  const megabytes = (key: string) => {
    const bytes = search.get(key);
    return bytes ? String(Math.round(Number(bytes) / MEGABYTE)) : '';
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: query.trim() || null, cursor: null });
  };
  const set = (key: string, value: string) => onChange({ [key]: value || null, cursor: null });
  const setMegabytes = (key: string, value: string) =>
    set(key, value === '' ? '' : String(Math.round(Number(value) * MEGABYTE)));

  return (
    <div className="filters">
      <form onSubmit={submit} className="search">
        <input
          type="search"
          name="q"
          placeholder={t('cards.searchPlaceholder')}
          aria-label={t('cards.search')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">{t('cards.search')}</button>
      </form>
      <select
        aria-label={t('cards.columns.status')}
        name="status"
        value={search.get('status') ?? ''}
        onChange={(event) => set('status', event.target.value)}
      >
        <option value="">{t('cards.allStatuses')}</option>
        {CARD_STATUSES.map((status) => (
          <option key={status} value={status}>
            {t(`status.${status}`)}
          </option>
        ))}
      </select>
      <select
        aria-label={t('cards.columns.account')}
        name="account"
        value={search.get('account') ?? ''}
        onChange={(event) => set('account', event.target.value)}
      >
        <option value="">{t('cards.allAccounts')}</option>
        {props.accounts.map((account) => (
          <option key={account} value={account}>
            {account}
          </option>
        ))}
      </select>
      <select
        aria-label={t('cards.columns.supplier')}
        name="supplier"
        value={search.get('supplier') ?? ''}
        onChange={(event) => set('supplier', event.target.value)}
      >
        <option value="">{t('cards.allSuppliers')}</option>
        {props.suppliers.map((supplier) => (
          <option key={supplier} value={supplier}>
            {supplier}
          </option>
        ))}
      </select>
      <input
        aria-label={t('cards.columns.tenant')}
        placeholder={t('cards.columns.tenant')}
        defaultValue={search.get('tenant') ?? ''}
        onBlur={(event) => set('tenant', event.target.value.trim())}
      />
      <input
        aria-label={t('cards.columns.tags')}
        placeholder={t('cards.tag')}
        defaultValue={search.get('tag') ?? ''}
        onBlur={(event) => set('tag', event.target.value.trim())}
      />
      <input
        type="number"
        min={0}
        aria-label={t('cards.usageMin')}
        placeholder={t('cards.usageMin')}
        defaultValue={megabytes('usageMin')}
        onBlur={(event) => setMegabytes('usageMin', event.target.value)}
      />
      <input
        type="number"
        min={0}
        aria-label={t('cards.usageMax')}
        placeholder={t('cards.usageMax')}
        defaultValue={megabytes('usageMax')}
        onBlur={(event) => setMegabytes('usageMax', event.target.value)}
      />
    </div>
  );
}
