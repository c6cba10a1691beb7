import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import {
  flexRender,
  getCoreRowModel,
  type RowSelectionState,
  useReactTable,
  type VisibilityState,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { paths } from '../../api/schema.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { mergeSearch, type SearchChanges } from '../../search-params.js';
import { hasRole, useMe } from '../../session.js';
import { CardsBulkBar } from './cards-bulk.js';
import { type Card, cardColumns, DEFAULT_COLUMNS, SORTABLE } from './cards-columns.js';
import { CardsExport } from './cards-export.js';
import { CardsFilters, type CardsSearch, filterExpression } from './cards-filters.js';
import { CardsImport } from './cards-import.js';
import { SavedFilters } from './cards-saved-filters.js';

/** The page sizes on offer; 50 unless the URL's `limit` names another. */
export const PAGE_SIZES = [20, 50, 100, 200, 500] as const;
const PAGE_SIZE = 50;
const COLUMNS_KEY = 'simdock.cards.columns';

type ListQuery = NonNullable<paths['/api/v1/cards']['get']['parameters']['query']>;
type CountQuery = NonNullable<paths['/api/v1/cards/count']['get']['parameters']['query']>;

function savedColumns(): string[] {
  try {
    const saved = JSON.parse(window.localStorage.getItem(COLUMNS_KEY) ?? 'null');
    return Array.isArray(saved) ? saved : DEFAULT_COLUMNS;
  } catch {
    return DEFAULT_COLUMNS;
  }
}

/** The API query of the URL's filters, sort and cursor. */
function listQuery(search: CardsSearch): ListQuery {
  const query: Record<string, unknown> = { ...countQuery(search), limit: pageSize(search) };
  for (const key of ['sort', 'order', 'cursor'] as const) {
    const value = search[key];
    if (value) query[key] = value;
  }
  return query as ListQuery;
}

function pageSize(search: CardsSearch): number {
  const size = Number(search.limit);
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : PAGE_SIZE;
}

/** The export's query: the filters, sort and order, every page. */
function exportQuery(search: CardsSearch): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(countQuery(search))) {
    if (value !== undefined && value !== null) query[key] = value as string | number;
  }
  if (search.sort) query.sort = search.sort;
  if (search.order) query.order = search.order;
  return query;
}

/** The API query of the URL's filters alone (the count's question). */
function countQuery(search: CardsSearch): CountQuery {
  const query: Record<string, string | number> = {};
  for (const key of [
    'q',
    'status',
    'account',
    'supplier',
    'tenant',
    'tag',
    'usageMin',
    'usageMax',
    'quotaMin',
    'expiresWithin',
  ] as const) {
    const value = search[key];
    if (value) query[key] = value;
  }
  return query as CountQuery;
}

/**
 * The cards table: server-side filters, sorting and cursor paging, all kept in the URL; column
 * choice; selection of rows or of everything matching, handed to the bulk bar.
 */
export function CardsPage() {
  const { t, i18n } = useTranslation();
  const search = useSearch({ from: '/cards' });
  const navigate = useNavigate({ from: '/cards' });
  const setSearch = (changes: SearchChanges<CardsSearch>) =>
    void navigate({
      search: (previous) => mergeSearch(previous, changes),
      replace: true,
      resetScroll: false,
    });
  const client = useQueryClient();
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [allMatching, setAllMatching] = useState(false);
  const [visible, setVisible] = useState<string[]>(savedColumns);
  const [choosing, setChoosing] = useState(false);
  const [importing, setImporting] = useState(false);
  const [previousCursors, setPreviousCursors] = useState<string[]>([]);

  const query = listQuery(search);
  const cards = useQuery({
    queryKey: ['cards', query],
    queryFn: () => unwrap(api.GET('/api/v1/cards', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const filters = countQuery(search);
  // After the rows, like the other side queries: the count may read every candidate row.
  const count = useQuery({
    queryKey: ['cards-count', filters],
    queryFn: () => unwrap(api.GET('/api/v1/cards/count', { params: { query: filters } })),
    enabled: cards.isSuccess,
    placeholderData: keepPreviousData,
  });
  const [filtersVersion, setFiltersVersion] = useState(0);
  const me = useMe();
  // Loaded once the rows are shown: on a single-connection SQLite server every other query of
  // the page would otherwise queue in front of the first rows (docs/performance.md).
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
    enabled: cards.isSuccess && me.data?.tenant === 'root',
    staleTime: 60_000,
  });
  const pageCards = cards.data?.cards ?? [];
  const accountIds = accounts.data
    ? accounts.data.accounts.map((account) => account.id)
    : [...new Set(pageCards.map((card) => card.account))];
  // Every supplier type simdock speaks, from the API: not only those on the page shown (once one
  // is picked the page holds only its cards, and the others must stay on offer).
  const supplierTypes = useQuery({
    queryKey: ['supplier-types'],
    queryFn: () => unwrap(api.GET('/api/v1/suppliers')),
    enabled: cards.isSuccess,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const suppliers = supplierTypes.data
    ? supplierTypes.data.suppliers.map((supplier) => ({ id: supplier.type, name: supplier.name }))
    : [];

  // The plan columns' data: each shown card's plan and expiry date, one request per page.
  const shownIds = (cards.data?.cards ?? []).map((card) => card.id);
  const planColumns = visible.includes('plan') || visible.includes('expiresOn');
  const cardPlans = useQuery({
    queryKey: ['card-plans', shownIds],
    queryFn: () =>
      unwrap(api.GET('/api/v1/plans/cards', { params: { query: { ids: shownIds.join(',') } } })),
    enabled: cards.isSuccess && planColumns && shownIds.length > 0,
    placeholderData: keepPreviousData,
  });
  const planMap = useMemo(
    () => new Map((cardPlans.data?.cards ?? []).map((row) => [row.cardId, row])),
    [cardPlans.data],
  );
  const columns = useMemo(
    () => cardColumns(t, i18n.language, planMap),
    [t, i18n.language, planMap],
  );
  const columnVisibility: VisibilityState = Object.fromEntries(
    columns.map((column) => [column.id, visible.includes(column.id ?? '')]),
  );
  const rows = cards.data?.cards ?? [];
  const table = useReactTable<Card>({
    data: rows,
    columns,
    getRowId: (row) => String(row.id),
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableRowSelection: true,
    state: { rowSelection: selection, columnVisibility },
    onRowSelectionChange: setSelection,
  });

  const change = (changes: SearchChanges<CardsSearch>) => {
    setSelection({});
    setAllMatching(false);
    if ('cursor' in changes && changes.cursor === null) setPreviousCursors([]);
    setSearch(changes);
  };
  const sortBy = (column: string) => {
    if (!SORTABLE.has(column)) return;
    const current = search.sort;
    const order = current === column && search.order !== 'desc' ? 'desc' : 'asc';
    change({ sort: column, order, cursor: null });
  };
  const toggleColumn = (id: string) => {
    const next = visible.includes(id) ? visible.filter((item) => item !== id) : [...visible, id];
    setVisible(next);
    window.localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
  };
  const selectedIds = Object.keys(selection)
    .filter((id) => selection[id])
    .map(Number);
  const expression = filterExpression(search);

  return (
    <section className="cards-page">
      <div className="page-head">
        <h1>{t('cards.title')}</h1>
        {me.data && hasRole(me.data.role, 'admin') && me.data.tenant === 'root' ? (
          <button type="button" onClick={() => setImporting(!importing)} aria-expanded={importing}>
            {t('cards.import.title')}
          </button>
        ) : null}
        <div className="column-choice">
          <button type="button" onClick={() => setChoosing(!choosing)} aria-expanded={choosing}>
            {t('cards.chooseColumns')}
          </button>
          {choosing ? (
            <div className="column-menu">
              {columns.map((column) => (
                <label key={column.id}>
                  <input
                    type="checkbox"
                    checked={visible.includes(column.id ?? '')}
                    onChange={() => toggleColumn(column.id ?? '')}
                  />
                  {String(column.header)}
                </label>
              ))}
            </div>
          ) : null}
        </div>
      </div>
      {importing ? (
        <CardsImport
          accounts={accountIds}
          onImported={() => void client.invalidateQueries({ queryKey: ['cards'] })}
        />
      ) : null}
      <CardsFilters
        key={filtersVersion}
        search={search}
        accounts={accountIds}
        suppliers={suppliers}
        onChange={change}
      />
      <div className="cards-summary">
        <span data-testid="cards-total">
          {count.data
            ? count.data.exact
              ? t('cards.total', { count: count.data.total })
              : t('cards.totalMoreThan', { count: count.data.total })
            : '\u00a0'}
        </span>
        <label>
          {t('cards.pageSize')}{' '}
          <select
            name="limit"
            value={String(pageSize(search))}
            onChange={(event) =>
              change({
                limit: event.target.value === String(PAGE_SIZE) ? null : event.target.value,
                cursor: null,
              })
            }
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <CardsExport
          query={exportQuery(search)}
          total={count.data?.exact ? count.data.total : null}
        />
        {me.data ? (
          <SavedFilters
            me={me.data}
            search={search}
            onApply={(saved) => {
              setSelection({});
              setAllMatching(false);
              setPreviousCursors([]);
              setFiltersVersion((version) => version + 1);
              void navigate({ search: saved as never, replace: true, resetScroll: false });
            }}
          />
        ) : null}
      </div>
      <CardsBulkBar
        selectedIds={selectedIds}
        allMatching={allMatching}
        filter={expression}
        onDone={() => {
          setSelection({});
          setAllMatching(false);
          void client.invalidateQueries({ queryKey: ['cards'] });
        }}
      />
      {rows.length > 0 && selectedIds.length === rows.length && expression && !allMatching ? (
        <div className="select-all-matching">
          <button type="button" className="link" onClick={() => setAllMatching(true)}>
            {t('cards.selectAllMatching')}
          </button>
        </div>
      ) : null}
      {cards.isError ? <ErrorMessage error={cards.error} /> : null}
      {cards.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('cards.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="cards-table" aria-busy={cards.isFetching}>
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label={t('cards.selectPage')}
                    checked={table.getIsAllRowsSelected()}
                    onChange={table.getToggleAllRowsSelectedHandler()}
                  />
                </th>
                {table.getFlatHeaders().map((header) => {
                  const id = header.column.id;
                  const sorted = search.sort === id ? (search.order ?? 'asc') : null;
                  return (
                    <th
                      key={header.id}
                      className={SORTABLE.has(id) ? 'sortable' : undefined}
                      onClick={() => sortBy(id)}
                      aria-sort={
                        sorted ? (sorted === 'desc' ? 'descending' : 'ascending') : undefined
                      }
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      {sorted ? (sorted === 'desc' ? ' ▼' : ' ▲') : ''}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr
                  key={row.id}
                  data-card-id={row.id}
                  className={row.getIsSelected() ? 'selected' : ''}
                >
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('cards.selectRow')}
                      checked={row.getIsSelected()}
                      onChange={row.getToggleSelectedHandler()}
                    />
                  </td>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} data-column={cell.column.id}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button
          type="button"
          disabled={previousCursors.length === 0}
          onClick={() => {
            const previous = previousCursors.slice(0, -1);
            setPreviousCursors(previous);
            setSelection({});
            setSearch({ cursor: previousCursors[previousCursors.length - 1] || null });
          }}
        >
          {t('common.previous')}
        </button>
        <button
          type="button"
          disabled={!cards.data?.nextCursor}
          onClick={() => {
            setPreviousCursors([...previousCursors, search.cursor ?? '']);
            setSelection({});
            setSearch({ cursor: cards.data?.nextCursor ?? null });
          }}
        >
          {t('common.next')}
        </button>
      </div>
    </section>
  );
}
