import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CARD_STATUSES } from '../../components/status-badge.js';
import type { SearchChanges } from '../../search-params.js';

/**
 * The cards page's query string: filters, sort and cursor under the API's own query names
 * (`/cards?status=active&supplier=quectel&sort=usage&order=desc`).
 */
export interface CardsSearch {
  q?: string;
  status?: string;
  account?: string;
  supplier?: string;
  tenant?: string;
  tag?: string;
  usageMin?: string;
  usageMax?: string;
  /** Percent of the plan's quota used, at least (the dashboard's "near quota" opens 80). */
  quotaMin?: string;
  /** Plan service ending from today to this many days ahead. */
  expiresWithin?: string;
  /** Page size: one of PAGE_SIZES. */
  limit?: string;
  sort?: string;
  order?: string;
  cursor?: string;
}

const MEGABYTE = 1024 * 1024;

/**
 * The same filters in the card-filter language bulk jobs take (`status=active AND usage>=5MB`),
 * or null when one of them (search, tenant, tag) has no equivalent there.
 */
export function filterExpression(search: CardsSearch): string | null {
  if (search.q || search.tenant || search.tag || search.quotaMin || search.expiresWithin) {
    return null;
  }
  const conditions: string[] = [];
  for (const key of ['status', 'account', 'supplier'] as const) {
    const value = search[key];
    if (value) conditions.push(`${key}=${value}`);
  }
  const min = search.usageMin;
  const max = search.usageMax;
  if (min) conditions.push(`usage>=${min}`);
  if (max) conditions.push(`usage<=${max}`);
  return conditions.length > 0 ? conditions.join(' AND ') : null;
}

/** Applies a text input's value on Enter as on blur. */
function onEnter(apply: (value: string) => void) {
  return (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      apply(event.currentTarget.value);
    }
  };
}

/** The filter bar: every change lands in the URL through `onChange`. */
export function CardsFilters(props: {
  search: CardsSearch;
  accounts: string[];
  /** Supplier types: id and display name. */
  suppliers: { id: string; name: string }[];
  onChange: (changes: SearchChanges<CardsSearch>) => void;
}) {
  const { t } = useTranslation();
  const { search, onChange } = props;
  const [query, setQuery] = useState(search.q ?? '');
  const megabytes = (key: 'usageMin' | 'usageMax') => {
    const bytes = search[key];
    return bytes ? String(Math.round(Number(bytes) / MEGABYTE)) : '';
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: query.trim() || null, cursor: null });
  };
  const set = (key: keyof CardsSearch, value: string) =>
    onChange({ [key]: value || null, cursor: null });
  const setMegabytes = (key: 'usageMin' | 'usageMax', value: string) =>
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
        value={search.status ?? ''}
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
        value={search.account ?? ''}
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
        value={search.supplier ?? ''}
        onChange={(event) => set('supplier', event.target.value)}
      >
        <option value="">{t('cards.allSuppliers')}</option>
        {props.suppliers.map((supplier) => (
          <option key={supplier.id} value={supplier.id}>
            {t(`supplierTypes.${supplier.id}`, { defaultValue: supplier.name })}
          </option>
        ))}
        {search.supplier && !props.suppliers.some((supplier) => supplier.id === search.supplier) ? (
          <option value={search.supplier}>{search.supplier}</option>
        ) : null}
      </select>
      <input
        aria-label={t('cards.columns.tenant')}
        placeholder={t('cards.columns.tenant')}
        defaultValue={search.tenant ?? ''}
        onBlur={(event) => set('tenant', event.target.value.trim())}
        onKeyDown={onEnter((value) => set('tenant', value.trim()))}
      />
      <input
        aria-label={t('cards.columns.tags')}
        placeholder={t('cards.tag')}
        defaultValue={search.tag ?? ''}
        onBlur={(event) => set('tag', event.target.value.trim())}
        onKeyDown={onEnter((value) => set('tag', value.trim()))}
      />
      <input
        type="number"
        min={0}
        aria-label={t('cards.usageMin')}
        placeholder={t('cards.usageMin')}
        defaultValue={megabytes('usageMin')}
        onBlur={(event) => setMegabytes('usageMin', event.target.value)}
        onKeyDown={onEnter((value) => setMegabytes('usageMin', value))}
      />
      <input
        type="number"
        min={0}
        aria-label={t('cards.usageMax')}
        placeholder={t('cards.usageMax')}
        defaultValue={megabytes('usageMax')}
        onBlur={(event) => setMegabytes('usageMax', event.target.value)}
        onKeyDown={onEnter((value) => setMegabytes('usageMax', value))}
      />
      <input
        type="number"
        min={0}
        name="quotaMin"
        aria-label={t('cards.quotaMin')}
        placeholder={t('cards.quotaMin')}
        defaultValue={search.quotaMin ?? ''}
        onBlur={(event) => set('quotaMin', event.target.value.trim())}
        onKeyDown={onEnter((value) => set('quotaMin', value.trim()))}
      />
      <input
        type="number"
        min={0}
        name="expiresWithin"
        aria-label={t('cards.expiresWithin')}
        placeholder={t('cards.expiresWithin')}
        defaultValue={search.expiresWithin ?? ''}
        onBlur={(event) => set('expiresWithin', event.target.value.trim())}
        onKeyDown={onEnter((value) => set('expiresWithin', value.trim()))}
      />
    </div>
  );
}
