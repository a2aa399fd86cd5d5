import { useId } from 'react';
import * as Slider from '@radix-ui/react-slider';

interface SliderFieldProps {
  label: string;
  unit?: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (value: number) => void;
  /** Shown under the control. */
  hint?: string;
  testId?: string;
}

/**
 * A labelled slider with a number box beside it: drag for exploring, type for exact values.
 * Both are keyboard accessible (arrows, Page Up/Down, Home/End on the slider).
 */
export function SliderField({
  label,
  unit,
  value,
  min,
  max,
  step,
  onChange,
  hint,
  testId,
}: SliderFieldProps) {
  const id = useId();
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  return (
    <div className="field">
      <div className="field-head">
        <label htmlFor={`${id}-input`}>{label}</label>
        {unit ? <span className="unit">{unit}</span> : null}
      </div>
      <div className="row">
        <Slider.Root
          className="slider-root"
          value={[clamp(value)]}
          min={min}
          max={max}
          step={step}
          onValueChange={([v]) => onChange(v)}
          aria-label={label}
        >
          <Slider.Track className="slider-track">
            <Slider.Range className="slider-range" />
          </Slider.Track>
          <Slider.Thumb
            className="slider-thumb"
            aria-label={label}
            data-testid={testId ? `${testId}-slider` : undefined}
          />
        </Slider.Root>
        <input
          id={`${id}-input`}
          type="number"
          value={Number.isFinite(value) ? value : ''}
          min={min}
          max={max}
          step={step}
          data-testid={testId}
          onChange={(e) => {
            const v = e.currentTarget.valueAsNumber;
            if (Number.isFinite(v)) onChange(clamp(v));
          }}
        />
      </div>
      {hint ? <span className="muted small">{hint}</span> : null}
    </div>
  );
}
