import { useTranslation } from 'react-i18next';

const UNITS = { MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;
export type ByteUnit = keyof typeof UNITS;

/** A size as typed: a number (empty: none) and a binary unit (KB = 1024 bytes, as suppliers count). */
export interface ByteSize {
  amount: string;
  unit: ByteUnit;
}

/** The size of a byte count as the input shows it, in the largest unit that keeps it whole-ish. */
export function byteSizeOf(bytes: number | null): ByteSize {
  if (bytes === null) return { amount: '', unit: 'GB' };
  for (const unit of ['TB', 'GB', 'MB'] as const) {
    const amount = bytes / UNITS[unit];
    if (amount >= 1 && Math.round(amount * 1000) === amount * 1000) {
      return { amount: String(amount), unit };
    }
  }
  return { amount: String(Math.round((bytes / UNITS.MB) * 1000) / 1000), unit: 'MB' };
}

/** The bytes of a typed size; null when left empty. */
export function bytesOf(size: ByteSize): number | null {
  if (size.amount.trim() === '') return null;
  return Math.round(Number(size.amount) * UNITS[size.unit]);
}

/** A number and a unit (MB, GB, TB) for a quota; empty means none. */
export function ByteSizeInput(props: {
  label: string;
  hint: string;
  value: ByteSize;
  onChange: (value: ByteSize) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <label>
      {props.label}
      <span className="byte-size">
        <input
          type="number"
          min={0}
          step="any"
          value={props.value.amount}
          placeholder={props.hint}
          data-testid={props.testId}
          onChange={(event) => props.onChange({ ...props.value, amount: event.target.value })}
        />
        <select
          value={props.value.unit}
          aria-label={props.label}
          onChange={(event) =>
            props.onChange({ ...props.value, unit: event.target.value as ByteUnit })
          }
        >
          {Object.keys(UNITS).map((unit) => (
            <option key={unit} value={unit}>
              {t(`plansPage.units.${unit}`)}
            </option>
          ))}
        </select>
      </span>
    </label>
  );
}
