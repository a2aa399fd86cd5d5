import { useState } from 'react';

interface NumberInputProps {
  value: number;
  onChange: (value: number) => void;
  /** Accessible name (the input has no visible label of its own in tables). */
  label: string;
  /** Values for which this returns false are shown as invalid and not passed on. */
  isValid?: (value: number) => boolean;
  step?: number | 'any';
  disabled?: boolean;
  testId?: string;
  /** Why the value is refused, for screen readers and the tooltip. */
  invalidHint?: string;
}

/** Shown with four significant digits; the full value is kept. */
function display(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '';
}

/**
 * A number box that lets the user type freely (an empty or half-typed value does not snap
 * back) and passes on only valid numbers; an invalid entry is marked, never silently dropped.
 */
export function NumberInput({
  value,
  onChange,
  label,
  isValid = Number.isFinite,
  step = 'any',
  disabled,
  testId,
  invalidHint,
}: NumberInputProps) {
  const [draft, setDraft] = useState<{ text: string; value: number } | null>(null);
  // The draft stands while it belongs to the current value; a change from outside replaces it.
  const text = draft && Object.is(draft.value, value) ? draft.text : display(value);
  const parsed = text.trim() === '' ? NaN : Number(text);
  const invalid = !(Number.isFinite(parsed) && isValid(parsed));
  return (
    <input
      type="number"
      step={step}
      value={text}
      aria-label={label}
      aria-invalid={invalid || undefined}
      title={invalid ? invalidHint : undefined}
      disabled={disabled}
      data-testid={testId}
      className={invalid ? 'invalid' : undefined}
      onChange={(e) => {
        const next = e.currentTarget.value;
        const v = next.trim() === '' ? NaN : Number(next);
        const ok = Number.isFinite(v) && isValid(v);
        setDraft({ text: next, value: ok ? v : value });
        if (ok) onChange(v);
      }}
    />
  );
}
