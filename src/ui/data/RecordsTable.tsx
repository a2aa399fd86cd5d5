import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useWorkbench } from '../../state/store';

const ROW_HEIGHT = 26;

/** Every record of the loaded file, virtualised so 100,000 rows scroll smoothly. */
export function RecordsTable() {
  const dataset = useWorkbench((s) => s.dataset);
  const warnings = useWorkbench((s) => s.warnings);
  const scrollRef = useRef<HTMLDivElement>(null);
  const records = dataset?.records ?? [];
  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  if (!dataset) return null;
  const flagged = new Set(warnings.map((w) => w.line));
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  return (
    <section className="card" aria-labelledby="records-title">
      <h2 id="records-title">
        Records{' '}
        <span className="muted small">
          ({records.length.toLocaleString()} rows; flagged rows have notes above)
        </span>
      </h2>
      <div
        className="table-scroll"
        ref={scrollRef}
        data-testid="records-table"
        tabIndex={0}
        aria-label="Records table, scrollable"
      >
        <table className="data">
          <thead>
            <tr>
              <th scope="col">line</th>
              {dataset.columns.map((c, i) => (
                <th scope="col" key={i}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 ? (
              <tr aria-hidden="true">
                <td
                  style={{ height: padTop, padding: 0, border: 'none' }}
                  colSpan={dataset.columns.length + 1}
                />
              </tr>
            ) : null}
            {items.map((item) => {
              const r = records[item.index];
              return (
                <tr
                  key={item.key}
                  className={flagged.has(r.line) ? 'problem' : undefined}
                  style={{ height: ROW_HEIGHT }}
                >
                  <td>{r.line}</td>
                  {r.cells.map((v, i) => (
                    <td key={i}>{v}</td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 ? (
              <tr aria-hidden="true">
                <td
                  style={{ height: padBottom, padding: 0, border: 'none' }}
                  colSpan={dataset.columns.length + 1}
                />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
