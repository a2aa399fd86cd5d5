import { useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { doseGroupColours } from '../charts/palette';
import { TimeCourseChart, type Series } from '../charts/TimeCourseChart';
import { endpointLabel } from './endpoints';
import { LogScaleSwitch } from '../components/LogScaleSwitch';

/** Observations over time, one line per subject, coloured by dose group. */
export function SubjectPlots() {
  const dataset = useWorkbench((s) => s.dataset);
  const logScale = useWorkbench((s) => s.logScale);

  const { byEndpoint, colours } = useMemo(() => {
    const byEndpoint = new Map<number, Series[]>();
    if (!dataset) return { byEndpoint, colours: new Map<number, string>() };
    const colours = doseGroupColours(dataset.subjects.map((s) => s.doseGroup ?? 0));
    for (const subject of dataset.subjects) {
      const perDvid = new Map<number, { t: number; y: number }[]>();
      for (const o of subject.observations) {
        const list = perDvid.get(o.dvid) ?? [];
        list.push({ t: o.time, y: o.dv });
        perDvid.set(o.dvid, list);
      }
      for (const [dvid, points] of perDvid) {
        const list = byEndpoint.get(dvid) ?? [];
        const group = subject.doseGroup ?? 0;
        list.push({
          id: `${subject.id}-${dvid}`,
          name: `Subject ${subject.id} (${group === 0 ? 'placebo' : `${group} mg`})`,
          colour: colours.get(group) ?? '#000',
          points,
          style: 'observed',
        });
        byEndpoint.set(dvid, list);
      }
    }
    return { byEndpoint, colours };
  }, [dataset]);

  if (!dataset) return null;
  const endpoints = [...byEndpoint.keys()].sort((a, b) => a - b);
  return (
    <section className="card" aria-labelledby="plots-title">
      <div className="row">
        <h2 id="plots-title" style={{ margin: 0 }}>
          Observations over time
        </h2>
        <span className="spacer" />
        <span className="row small" aria-label="Dose groups">
          {[...colours].map(([g, c]) => (
            <span key={g}>
              <span className="legend-swatch" style={{ background: c }} />
              {g === 0 ? 'Placebo' : `${g} mg`}
            </span>
          ))}
        </span>
        <LogScaleSwitch id="log-scale" testId="log-scale" />
      </div>
      <div className="grid-2" style={{ marginTop: '0.5rem' }}>
        {endpoints.map((dvid) => (
          <TimeCourseChart
            key={dvid}
            title={`${endpointLabel(dvid).short} by subject`}
            yLabel={endpointLabel(dvid).axis}
            series={byEndpoint.get(dvid) ?? []}
            logScale={logScale}
            testId={`observed-chart-${dvid}`}
          />
        ))}
      </div>
    </section>
  );
}
