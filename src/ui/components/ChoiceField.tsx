import { useId, type ReactNode } from 'react';
import * as ToggleGroup from '@radix-ui/react-toggle-group';

/** A labelled choice among a few options (Radix toggle group: arrow keys move between them). */
export function ChoiceField<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
  hint,
  disabled,
  grid,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (v: T) => void;
  testId: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** Lay the options out two per row (many or long options in a narrow column). */
  grid?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <span id={`${id}-label`}>{label}</span>
      <ToggleGroup.Root
        type="single"
        className={grid ? 'segmented segmented-grid' : 'segmented'}
        value={value}
        aria-labelledby={`${id}-label`}
        onValueChange={(v) => {
          if (v) onChange(v as T);
        }}
        data-testid={testId}
        disabled={disabled}
      >
        {options.map((o) => (
          <ToggleGroup.Item key={o.value} value={o.value}>
            {o.label}
          </ToggleGroup.Item>
        ))}
      </ToggleGroup.Root>
      {hint ? <span className="muted small">{hint}</span> : null}
    </div>
  );
}
