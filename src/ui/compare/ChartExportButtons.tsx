import { useState, type RefObject } from 'react';
import {
  chartSvgIn,
  downloadPng,
  downloadSvg,
  exportableSvg,
  type ExportDecoration,
} from './chartExport';

/** "SVG" and "PNG" buttons that save the chart drawn inside `target`, titled and with its legend. */
export function ChartExportButtons({
  target,
  what,
  decoration,
  fileName,
  testId,
}: {
  target: RefObject<HTMLElement | null>;
  /** The chart in words, for the buttons' accessible names ("the PD RMSE chart"). */
  what: string;
  decoration: ExportDecoration;
  /** Without the extension. */
  fileName: string;
  testId: string;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (format: 'svg' | 'png') => {
    setProblem(null);
    const svg = chartSvgIn(target.current);
    if (!svg) {
      setProblem('The chart is not drawn yet.');
      return;
    }
    try {
      const doc = exportableSvg(svg, decoration);
      if (format === 'svg') downloadSvg(doc, `${fileName}.svg`);
      else await downloadPng(doc, `${fileName}.png`);
    } catch (err) {
      setProblem(
        `Could not save the ${format.toUpperCase()}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
  return (
    <span className="compare-export">
      <button
        type="button"
        className="secondary compare-small-button"
        aria-label={`Save ${what} as SVG`}
        onClick={() => void save('svg')}
        data-testid={`${testId}-svg`}
      >
        SVG
      </button>
      <button
        type="button"
        className="secondary compare-small-button"
        aria-label={`Save ${what} as PNG`}
        onClick={() => void save('png')}
        data-testid={`${testId}-png`}
      >
        PNG
      </button>
      {problem ? (
        <span className="small compare-export-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </span>
  );
}
