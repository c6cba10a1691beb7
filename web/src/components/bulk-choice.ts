import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { planBulk } from '../api/bulk-api.js';
import { hasRole, useMe } from '../session.js';

/** The cards a bulk-bar button acts on: the selected ones, or every card matching the filter. */
export interface BulkChoiceTarget {
  selectedIds: number[];
  allMatching: boolean;
  filter: string | null;
}

/**
 * What the cards bulk bar's "pick a pool or plan, then confirm" buttons share: they are the
 * operator's (shown to the root tenant's admins only); the dialog's state; how many cards the
 * filter matches, as a bulk job would count them, before confirming; and the outcome, which
 * stays beside the button with the selection. `run` does the work and keeps its outcome.
 */
export function useBulkChoice<Outcome>(target: BulkChoiceTarget, countKey: string) {
  const me = useMe();
  const allowed = me.data ? hasRole(me.data.role, 'admin') && me.data.tenant === 'root' : false;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Outcome | null>(null);
  const byFilter = target.allMatching && target.filter !== null;
  const matching = useQuery({
    queryKey: [countKey, target.filter],
    queryFn: () => planBulk({ filter: target.filter as string }),
    enabled: allowed && open && byFilter,
  });
  const close = () => {
    setOpen(false);
    setError(null);
  };
  return {
    allowed,
    open,
    busy,
    error,
    done,
    byFilter,
    matching,
    /** The cards the confirmation names: the selection's size, or the filter's count. */
    count: byFilter ? (matching.data?.total ?? '…') : target.selectedIds.length,
    /** The request's card part: `{filter}` or `{cards}`. */
    cards: byFilter ? { filter: target.filter as string } : { cards: target.selectedIds },
    start() {
      setDone(null);
      setOpen(true);
    },
    close,
    async run(work: () => Promise<Outcome>) {
      setBusy(true);
      setError(null);
      try {
        setDone(await work());
        close();
      } catch (caught) {
        setError(caught);
      } finally {
        setBusy(false);
      }
    },
  };
}
