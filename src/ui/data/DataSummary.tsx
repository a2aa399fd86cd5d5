import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useWorkbench } from '../../state/store';
import { doseGroupColours } from '../charts/palette';
import { endpointLabel } from './endpoints';

/** Bins a covariate for a small histogram; bins are `width` wide from the floor of the minimum. */
function histogram(values: number[], bins: number): { bin: string; count: number }[] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return counts.map((count, i) => ({
    bin: `${(lo + i * width).toFixed(0)}–${(lo + (i + 1) * width).toFixed(0)}`,
    count,
  }));
}

export function DataSummary() {
  const dataset = useWorkbench((s) => s.dataset);
  const summary = useWorkbench((s) => s.summary);
  if (!dataset || !summary) return null;
  const groups = summary.doseGroups;
  const colours = doseGroupColours(groups.map((g) => g.dose));
  const subjectsByGroup = new Map<number, typeof dataset.subjects>();
  for (const s of dataset.subjects) {
    const g = s.doseGroup ?? 0;
    subjectsByGroup.set(g, [...(subjectsByGroup.get(g) ?? []), s]);
  }
  const bw = dataset.subjects
    .map((s) => s.covariates.BW)
    .filter((v): v is number => Number.isFinite(v));
  const hasComed = dataset.covariateNames.includes('COMED');
  return (
    <section className="card" aria-labelledby="summary-title" data-testid="data-summary">
      <h2 id="summary-title">{dataset.name}</h2>
      <div className="stats">
        <div className="stat">
          <div className="label">Subjects</div>
          <div className="value" data-testid="summary-subjects">
            {summary.subjects}
          </div>
        </div>
        <div className="stat">
          <div className="label">Dose records</div>
          <div className="value" data-testid="summary-doses">
            {summary.doseRecords}
          </div>
        </div>
        {Object.entries(summary.observations).map(([dvid, n]) => (
          <div className="stat" key={dvid}>
            <div className="label">{endpointLabel(Number(dvid)).short} observations</div>
            <div className="value" data-testid={`summary-obs-${dvid}`}>
              {n}
            </div>
          </div>
        ))}
        <div className="stat">
          <div className="label">Covariates</div>
          <div className="value small">{summary.covariates.join(', ') || 'none'}</div>
        </div>
      </div>
      <div className="grid-2" style={{ marginTop: '1rem' }}>
        <div>
          <h3>Dose groups</h3>
          <table className="data" aria-label="Subjects per dose group">
            <thead>
              <tr>
                <th>Dose group</th>
                <th>Subjects</th>
                {hasComed ? <th>On COMED</th> : null}
                <th>BW range (kg)</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => {
                const members = subjectsByGroup.get(g.dose) ?? [];
                const w = members.map((s) => s.covariates.BW).filter((v) => Number.isFinite(v));
                return (
                  <tr key={g.dose}>
                    <td>
                      <span className="legend-swatch" style={{ background: colours.get(g.dose) }} />
                      {g.dose === 0 ? 'Placebo' : `${g.dose} mg`}
                    </td>
                    <td>{g.subjects}</td>
                    {hasComed ? (
                      <td>{members.filter((s) => s.covariates.COMED === 1).length}</td>
                    ) : null}
                    <td>{w.length ? `${Math.min(...w)}–${Math.max(...w)}` : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {bw.length > 0 ? (
          <div>
            <h3>Body weight distribution</h3>
            <ResponsiveContainer width="100%" height={170}>
              <BarChart data={histogram(bw, 8)} margin={{ top: 4, right: 8, bottom: 18, left: 0 }}>
                <CartesianGrid stroke="#e3e8ee" vertical={false} />
                <XAxis
                  dataKey="bin"
                  fontSize={11}
                  label={{ value: 'BW (kg)', position: 'insideBottom', offset: -10 }}
                />
                <YAxis allowDecimals={false} width={32} />
                <Tooltip isAnimationActive={false} />
                <Bar dataKey="count" name="subjects" fill="#56B4E9" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        ) : null}
      </div>
    </section>
  );
}
