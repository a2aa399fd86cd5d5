import { useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { ParameterTable } from '../fit/ParameterTable';
import { DiagnosticPlots } from './DiagnosticPlots';
import { SubjectFitPlots } from './SubjectFitPlots';
import { subjectGroups } from './subjectGroups';
import { VpcSection } from './VpcSection';
import { NeuralCurves } from './NeuralCurves';
import { LogScaleSwitch } from '../components/LogScaleSwitch';

/** Curves: how well the current fit describes the data. Plots first, the estimates last. */
export function CurvesPanel() {
  const result = useWorkbench((s) => s.fitResult);
  const dataset = useWorkbench((s) => s.dataset);
  const meta = useWorkbench((s) => s.savedFits.find((f) => f.id === s.currentFitId));
  const logScale = useWorkbench((s) => s.logScale);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  const fitData = result && dataset?.name === result.dataName ? dataset : null;
  const { groupOf, groups } = useMemo(
    () => subjectGroups(fitData, result?.subjects.map((s) => s.id) ?? []),
    [fitData, result],
  );

  const neuralOpen = useWorkbench((s) => s.neuralModels.some((m) => m.id === s.currentNeuralId));

  if (!result && neuralOpen) {
    return (
      <div className="panel" data-testid="curves-panel">
        <div className="row">
          <span className="muted small">
            No fitted population model yet: the curves below are the open neural model&apos;s.
          </span>
          <span className="spacer" />
          <LogScaleSwitch id="curves-log-scale" testId="curves-log-scale" />
        </div>
        <NeuralCurves log={logScale} />
      </div>
    );
  }

  if (!result) {
    return (
      <div className="panel" data-testid="curves-panel">
        <section className="card" data-testid="curves-empty">
          <h2>No fitted model yet</h2>
          <p>
            The curves show how a fitted model describes the data: observations against predictions,
            residuals, each subject&apos;s fit and a visual predictive check. Fit a model first (the
            demo trial and the default model take a few clicks).
          </p>
          <button type="button" onClick={() => setActivePanel('model')}>
            Go to Model fit →
          </button>
        </section>
      </div>
    );
  }

  return (
    <div className="panel" data-testid="curves-panel">
      <section className="card" aria-labelledby="gof-title">
        <div className="row">
          <h2 id="gof-title" style={{ margin: 0 }}>
            Diagnostics: {meta?.label ?? `${result.spec.name} on ${result.dataName}`}
          </h2>
          <span className="spacer" />
          {groups.length > 1 ? (
            <span className="row small" aria-label="Dose groups">
              {groups.map((g) => (
                <span key={g.key}>
                  <span className="legend-swatch" style={{ background: g.colour }} />
                  {g.name}
                </span>
              ))}
            </span>
          ) : null}
          <LogScaleSwitch id="curves-log-scale" testId="curves-log-scale" />
        </div>
        <p className="muted small">
          Points near the red line of identity mean good predictions; residuals (CWRES) should
          scatter evenly around 0, mostly within ±2, with no trend over time or prediction.
        </p>
        <DiagnosticPlots result={result} groupOf={groupOf} log={logScale} />
      </section>
      <section className="card" aria-labelledby="subject-title">
        <h2 id="subject-title">Subject by subject</h2>
        <SubjectFitPlots result={result} dataset={fitData} log={logScale} />
      </section>
      <VpcSection result={result} log={logScale} />
      {neuralOpen ? <NeuralCurves log={logScale} /> : null}
      <section className="card" aria-labelledby="curves-estimates-title">
        <h2 id="curves-estimates-title">Estimates</h2>
        <ParameterTable result={result} />
      </section>
    </div>
  );
}
