import { useState } from 'react';

/** Shown in full (a seed of 20261124 stays 20261124), without floating-point noise. */
function display(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : '';
}

/**
 * A number box that lets the user type freely and passes on every finite number it reads; the
 * settings' own checks say in words what is out of range. An entry that is not a number is
 * marked and not passed on.
 */
export function ExactNumberInput({
  value,
  onChange,
  label,
  step = 'any',
  testId,
  id,
}: {
  value: number;
  onChange: (value: number) => void;
  label?: string;
  step?: number | 'any';
  testId?: string;
  id?: string;
}) {
  const [draft, setDraft] = useState<{ text: string; value: number } | null>(null);
  const text = draft && Object.is(draft.value, value) ? draft.text : display(value);
  const parsed = text.trim() === '' ? NaN : Number(text);
  const invalid = !Number.isFinite(parsed);
  return (
    <input
      id={id}
      type="number"
      step={step}
      value={text}
      aria-label={label}
      aria-invalid={invalid || undefined}
      title={invalid ? 'Enter a number' : undefined}
      data-testid={testId}
      className={invalid ? 'invalid' : undefined}
      onChange={(e) => {
        const next = e.currentTarget.value;
        const v = next.trim() === '' ? NaN : Number(next);
        const ok = Number.isFinite(v);
        setDraft({ text: next, value: ok ? v : value });
        if (ok) onChange(v);
      }}
    />
  );
}
