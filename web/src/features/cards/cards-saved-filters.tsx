import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../session.js';
import type { CardsSearch } from './cards-filters.js';

/** A named set of the cards page's filters. */
export interface SavedFilter {
  name: string;
  search: CardsSearch;
}

/** The search keys a saved filter keeps: filters, sort and page size, never the cursor. */
const KEPT = [
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
  'limit',
  'sort',
  'order',
] as const satisfies readonly (keyof CardsSearch)[];

/**
 * Saved filters live in this browser's localStorage, one list per signed-in user (kind and id),
 * so two operators sharing a browser keep their own.
 */
export function savedFiltersKey(me: Pick<Me, 'kind' | 'id'>): string {
  return `simdock.cards.savedFilters.${me.kind}.${me.id}`;
}

export function readSavedFilters(key: string): SavedFilter[] {
  try {
    const saved = JSON.parse(window.localStorage.getItem(key) ?? '[]');
    return Array.isArray(saved)
      ? saved.filter(
          (item): item is SavedFilter =>
            typeof item?.name === 'string' && typeof item?.search === 'object',
        )
      : [];
  } catch {
    return [];
  }
}

/** The search's filters worth saving. */
export function filterOf(search: CardsSearch): CardsSearch {
  const kept: CardsSearch = {};
  for (const key of KEPT) {
    const value = search[key];
    if (value) kept[key] = value;
  }
  return kept;
}

/** Pick, save and delete named filters. */
export function SavedFilters(props: {
  me: Pick<Me, 'kind' | 'id'>;
  search: CardsSearch;
  onApply: (search: CardsSearch) => void;
}) {
  const { t } = useTranslation();
  const key = savedFiltersKey(props.me);
  const [saved, setSaved] = useState<SavedFilter[]>(() => readSavedFilters(key));
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  const store = (next: SavedFilter[]) => {
    setSaved(next);
    window.localStorage.setItem(key, JSON.stringify(next));
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    store([
      ...saved.filter((item) => item.name !== trimmed),
      { name: trimmed, search: filterOf(props.search) },
    ]);
    setChosen(trimmed);
    setName('');
  };
  return (
    <form className="saved-filters" onSubmit={save}>
      <select
        aria-label={t('cards.saved.title')}
        name="savedFilter"
        value={chosen}
        onChange={(event) => {
          setChosen(event.target.value);
          const found = saved.find((item) => item.name === event.target.value);
          if (found) props.onApply(found.search);
        }}
      >
        <option value="">{t('cards.saved.choose')}</option>
        {saved.map((item) => (
          <option key={item.name} value={item.name}>
            {item.name}
          </option>
        ))}
      </select>
      <input
        name="savedFilterName"
        aria-label={t('cards.saved.name')}
        placeholder={t('cards.saved.name')}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" disabled={!name.trim()}>
        {t('cards.saved.save')}
      </button>
      {chosen ? (
        <button
          type="button"
          onClick={() => {
            store(saved.filter((item) => item.name !== chosen));
            setChosen('');
          }}
        >
          {t('cards.saved.delete')}
        </button>
      ) : null}
    </form>
  );
}
