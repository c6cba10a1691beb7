import { useTranslation } from 'react-i18next';

/** The statuses of src/domain/status.ts, in lifecycle order. */
export const CARD_STATUSES = [
  'test',
  'inventory',
  'active',
  'suspended',
  'pre_deactivated',
  'deactivated',
  'unknown',
] as const;

/** A card status as a coloured badge, with the supplier's raw value as its title. */
export function StatusBadge(props: { status: string; raw?: string | null }) {
  const { t, i18n } = useTranslation();
  const key = `status.${props.status}`;
  return (
    <span className={`badge badge-${props.status}`} title={props.raw ?? undefined}>
      {i18n.exists(key) ? t(key) : props.status}
    </span>
  );
}
