import { useTranslation } from 'react-i18next';

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
