import { memo, useId, useMemo, useRef } from 'react';
import type { CompareRow } from '../../core/compare/types';
import { formatNumber } from '../charts/format';
import { ChartExportButtons } from './ChartExportButtons';
import { heatColour, heatmapGrid, type HeatCell, type HeatGrid } from './compareView';

/** The drawing's geometry (CSS pixels; the SVG scales down to its column). */
const CELL_W = 100;
const CELL_H = 50;
const LEFT = 92;
const TOP = 46;
const LEGEND_W = 240;
/** Fill of a cell without a value: waiting for its result, or not planned. */
const PENDING_FILL = '#eef2f5';

function cellText(cell: HeatCell): { main: string; sub: string } {
  if (cell.value) {
    return {
      main: formatNumber(cell.value.mean, 3),
      sub: cell.value.n > 1 ? `± ${formatNumber(cell.value.sd, 2)}` : '',
    };
  }
  return { main: cell.planned ? '…' : '—', sub: cell.planned ? 'to do' : 'not run' };
}

function HeatSvg({ grid, titleId }: { grid: HeatGrid; titleId: string }) {
  const gradientId = `compare-heat-${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const width = LEFT + grid.layers.length * CELL_W + 16;
  const gridBottom = TOP + grid.qubits.length * CELL_H;
  const height = gridBottom + 64;
  const { min, max } = grid;
  const legendX = LEFT;
  const stops = [0, 0.25, 0.5, 0.75, 1];
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      className="compare-heatmap-svg"
      role="img"
      aria-labelledby={titleId}
      fontFamily="'DejaVu Sans', Arial, sans-serif"
    >
      <defs>
        <linearGradient id={gradientId} x1="0" x2="1" y1="0" y2="0">
          {stops.map((t) => (
            <stop key={t} offset={t} stopColor={heatColour(t, 0, 1).fill} />
          ))}
        </linearGradient>
      </defs>
      <text
        x={LEFT + (grid.layers.length * CELL_W) / 2}
        y={14}
        textAnchor="middle"
        fontSize={12}
        fill="#56657a"
      >
        Circuit layers
      </text>
      {grid.layers.map((l, j) => (
        <text
          key={l}
          x={LEFT + j * CELL_W + CELL_W / 2}
          y={TOP - 10}
          textAnchor="middle"
          fontSize={13}
          fill="#1b2631"
        >
          {l}
        </text>
      ))}
      <text
        x={14}
        y={TOP + (grid.qubits.length * CELL_H) / 2}
        textAnchor="middle"
        fontSize={12}
        fill="#56657a"
        transform={`rotate(-90 14 ${TOP + (grid.qubits.length * CELL_H) / 2})`}
      >
        Qubits
      </text>
      {grid.cells.map((row, i) => (
        <g key={grid.qubits[i]}>
          <text
            x={LEFT - 12}
            y={TOP + i * CELL_H + CELL_H / 2}
            dy="0.35em"
            textAnchor="end"
            fontSize={13}
            fill="#1b2631"
          >
            {grid.qubits[i]}
          </text>
          {row.map((cell, j) => {
            const colour =
              cell.value && min !== null && max !== null
                ? heatColour(cell.value.mean, min, max)
                : { fill: PENDING_FILL, text: '#56657a' };
            const { main, sub } = cellText(cell);
            const x = LEFT + j * CELL_W;
            const y = TOP + i * CELL_H;
            const best = cell.value !== null && cell.value.mean === min;
            return (
              <g key={cell.layers}>
                <rect
                  x={x + 1}
                  y={y + 1}
                  width={CELL_W - 2}
                  height={CELL_H - 2}
                  rx={3}
                  fill={colour.fill}
                  stroke={best ? '#1b2631' : 'none'}
                  strokeWidth={best ? 2 : 0}
                />
                <text
                  x={x + CELL_W / 2}
                  y={y + (sub ? CELL_H / 2 - 6 : CELL_H / 2)}
                  dy="0.35em"
                  textAnchor="middle"
                  fontSize={14}
                  fontWeight={best ? 700 : 600}
                  fill={colour.text}
                >
                  {best ? `★ ${main}` : main}
                </text>
                {sub ? (
                  <text
                    x={x + CELL_W / 2}
                    y={y + CELL_H / 2 + 11}
                    dy="0.35em"
                    textAnchor="middle"
                    fontSize={11}
                    fill={colour.text}
                  >
                    {sub}
                  </text>
                ) : null}
              </g>
            );
          })}
        </g>
      ))}
      {min !== null && max !== null ? (
        <g>
          <rect
            x={legendX}
            y={gridBottom + 16}
            width={LEGEND_W}
            height={12}
            fill={`url(#${gradientId})`}
            stroke="#d5dde4"
          />
          <text x={legendX} y={gridBottom + 44} fontSize={11} fill="#1b2631">
            {formatNumber(min, 3)} (best)
          </text>
          <text
            x={legendX + LEGEND_W}
            y={gridBottom + 44}
            textAnchor="end"
            fontSize={11}
            fill="#1b2631"
          >
            {formatNumber(max, 3)}
          </text>
          <text x={legendX + LEGEND_W + 10} y={gridBottom + 26} fontSize={11} fill="#56657a">
            PD RMSE (ng/mL)
          </text>
        </g>
      ) : null}
    </svg>
  );
}

/**
 * The hybrid QNN-ResMLP+MoE's PD RMSE over qubits × circuit layers (the poster's Figure 6): a
 * drawn grid with the value in every cell and a colour legend, plus the same numbers as a table
 * for screen readers. "Not in this profile" when the plan has no such grid.
 */
export const CompareHeatmap = memo(function CompareHeatmap({
  rows,
  subtitle,
  fileStem,
}: {
  rows: readonly CompareRow[];
  subtitle: string;
  fileStem: string;
}) {
  const id = useId();
  const figure = useRef<HTMLElement>(null);
  const grid = useMemo(() => heatmapGrid(rows), [rows]);
  const title = 'QNN-ResMLP+MoE: PD RMSE by qubits × circuit layers';
  return (
    <section
      className="card compare-heatmap"
      aria-labelledby={`${id}-title`}
      data-testid="compare-heatmap"
    >
      <div className="chart-title">
        <h3 id={`${id}-title`}>{title}</h3>
        {grid && grid.min !== null ? (
          <ChartExportButtons
            target={figure}
            what="the heat map"
            decoration={{ title, subtitle }}
            fileName={`${fileStem}-heatmap`}
            testId="compare-export-heatmap"
          />
        ) : null}
      </div>
      {!grid ? (
        <p className="muted small" data-testid="compare-heatmap-absent">
          Not in this profile: the qubits × layers grid (2–12 qubits, 1–4 layers) runs in the full
          profile.
        </p>
      ) : (
        <>
          <p className="muted small">
            Held-out PD RMSE in ng/mL, mean ± sd over folds and seeds; lighter is better, the best
            cell is starred.
            {grid.qubits.length * grid.layers.length < 16
              ? ' The full profile runs the poster’s whole grid (2–12 qubits × 1–4 layers).'
              : ''}
          </p>
          <figure ref={figure} className="compare-figure compare-heatmap-figure">
            <HeatSvg grid={grid} titleId={`${id}-title`} />
          </figure>
          <table className="visually-hidden">
            <caption>{title} (ng/mL)</caption>
            <thead>
              <tr>
                <th scope="col">Qubits</th>
                {grid.layers.map((l) => (
                  <th key={l} scope="col">
                    {l} layer{l === 1 ? '' : 's'}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {grid.cells.map((row, i) => (
                <tr key={grid.qubits[i]}>
                  <th scope="row">{grid.qubits[i]}</th>
                  {row.map((c) => (
                    <td key={c.layers}>
                      {c.value
                        ? `${formatNumber(c.value.mean, 3)} ± ${formatNumber(c.value.sd, 2)}`
                        : c.planned
                          ? 'to do'
                          : 'not run'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
});
