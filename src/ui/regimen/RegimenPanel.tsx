import { useDeferredValue, useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { activePredictor } from '../../state/activeModel';
import { predictRegimen, type RegimenPrediction } from '../../core/models/regimenPrediction';
import { RegimenControls } from './RegimenControls';
import { RegimenMetrics } from './RegimenMetrics';
import { RegimenCharts } from './RegimenCharts';

/** Regimen explorer: tune a regimen and see PK, PD and the steady-state verdict at once. */
export function RegimenPanel() {
  const regimen = useWorkbench((s) => s.regimen);
  const patient = useWorkbench((s) => s.patient);
  const threshold = useWorkbench((s) => s.threshold);
  // Deferred inputs keep a dragged slider responsive: React renders the newest value it can.
  const inputs = useDeferredValue({ regimen, patient, threshold });

  const outcome = useMemo((): { prediction: RegimenPrediction } | { error: string } => {
    try {
      return {
        prediction: predictRegimen(
          activePredictor(),
          inputs.regimen,
          { ...inputs.patient },
          inputs.threshold,
        ),
      };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }, [inputs]);

  return (
    <div className="grid-sidebar" data-testid="regimen-panel">
      <RegimenControls />
      <div className="panel">
        {'error' in outcome ? (
          <div className="alert error" role="alert">
            Cannot predict this regimen: {outcome.error}
          </div>
        ) : (
          <>
            <RegimenMetrics
              prediction={outcome.prediction}
              threshold={inputs.threshold}
              interval={inputs.regimen.interval}
            />
            <RegimenCharts
              prediction={outcome.prediction}
              threshold={inputs.threshold}
              interval={inputs.regimen.interval}
            />
          </>
        )}
      </div>
    </div>
  );
}
