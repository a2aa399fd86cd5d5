import { useMemo } from 'react';
import type { FitResult } from '../../core/nlme/types';
import { ScatterPlot, type ScatterGroup, type XY } from '../charts/ScatterPlot';
import { endpointLabel } from '../data/endpoints';
import type { SubjectGroup } from './subjectGroups';

interface EndpointPoints {
  dvPred: XY[];
  dvIpred: XY[];
  cwresTime: XY[];
  cwresPred: XY[];
}

const RESIDUAL_LINES = [{ y: 0 }, { y: -2, dashed: true }, { y: 2, dashed: true }] as const;

/**
 * Goodness of fit per endpoint: observations against population (PRED) and individual (IPRED)
 * predictions with the line of identity, and conditional weighted residuals (CWRES) against time
 * and PRED with 0 and ±2.
 */
export function DiagnosticPlots({
  result,
  groupOf,
  log,
}: {
  result: FitResult;
  groupOf: (id: string) => SubjectGroup;
  log: boolean;
}) {
  const endpoints = useMemo(() => {
    // dvid → group key → points
    const byEndpoint = new Map<number, Map<number, { group: SubjectGroup; pts: EndpointPoints }>>();
    for (const s of result.subjects) {
      const group = groupOf(s.id);
      for (const o of s.observations) {
        let groups = byEndpoint.get(o.dvid);
        if (!groups) byEndpoint.set(o.dvid, (groups = new Map()));
        let entry = groups.get(group.key);
        if (!entry) {
          entry = { group, pts: { dvPred: [], dvIpred: [], cwresTime: [], cwresPred: [] } };
          groups.set(group.key, entry);
        }
        entry.pts.dvPred.push({ x: o.pred, y: o.dv });
        entry.pts.dvIpred.push({ x: o.ipred, y: o.dv });
        entry.pts.cwresTime.push({ x: o.time, y: o.cwres });
        entry.pts.cwresPred.push({ x: o.pred, y: o.cwres });
      }
    }
    return [...byEndpoint.entries()]
      .sort(([a], [b]) => a - b)
      .map(([dvid, groups]) => {
        const entries = [...groups.values()].sort((a, b) => a.group.key - b.group.key);
        const pick = (k: keyof EndpointPoints): ScatterGroup[] =>
          entries.map((e) => ({
            id: `${dvid}-${e.group.key}-${k}`,
            name: e.group.name,
            colour: e.group.colour,
            points: e.pts[k],
          }));
        return {
          dvid,
          dvPred: pick('dvPred'),
          dvIpred: pick('dvIpred'),
          cwresTime: pick('cwresTime'),
          cwresPred: pick('cwresPred'),
        };
      });
  }, [result, groupOf]);

  return (
    <>
      {endpoints.map((e) => {
        const { short, axis } = endpointLabel(e.dvid);
        const unit = /\(([^)]+)\)/.exec(axis)?.[1] ?? '';
        return (
          <div key={e.dvid} data-testid={`gof-${e.dvid}`}>
            <h3>{short}: goodness of fit</h3>
            <div className="grid-4">
              <ScatterPlot
                title={`${short}: observed vs population prediction`}
                xLabel={`PRED (${unit})`}
                yLabel={`DV (${unit})`}
                groups={e.dvPred}
                identity
                log={log}
                testId={`gof-dv-pred-${e.dvid}`}
              />
              <ScatterPlot
                title={`${short}: observed vs individual prediction`}
                xLabel={`IPRED (${unit})`}
                yLabel={`DV (${unit})`}
                groups={e.dvIpred}
                identity
                log={log}
                testId={`gof-dv-ipred-${e.dvid}`}
              />
              <ScatterPlot
                title={`${short}: CWRES over time`}
                xLabel="Time (h)"
                yLabel="CWRES"
                groups={e.cwresTime}
                hLines={RESIDUAL_LINES}
                testId={`gof-cwres-time-${e.dvid}`}
              />
              <ScatterPlot
                title={`${short}: CWRES vs population prediction`}
                xLabel={`PRED (${unit})`}
                yLabel="CWRES"
                groups={e.cwresPred}
                hLines={RESIDUAL_LINES}
                testId={`gof-cwres-pred-${e.dvid}`}
              />
            </div>
          </div>
        );
      })}
    </>
  );
}
