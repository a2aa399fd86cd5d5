import { useDeferredValue, useEffect, useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { activePredictor, predictsBiomarker } from '../../state/activeModel';
import { predictRegimen, type RegimenPrediction } from '../../core/models/regimenPrediction';
import { RegimenControls } from './RegimenControls';
import { RegimenMetrics } from './RegimenMetrics';
import { RegimenCharts } from './RegimenCharts';
import { RegimenModelPicker } from './RegimenModelPicker';
import { PopulationAttainment } from './PopulationAttainment';

/** Regimen explorer: tune a regimen and see PK, PD and the steady-state verdict at once. */
export function RegimenPanel() {
  const regimen = useWorkbench((s) => s.regimen);
  const patient = useWorkbench((s) => s.patient);
  const threshold = useWorkbench((s) => s.threshold);
  const regimenModelId = useWorkbench((s) => s.regimenModelId);
  const savedFits = useWorkbench((s) => s.savedFits);
  const mode = useWorkbench((s) => s.regimenMode);
  const population = useWorkbench((s) => s.population);
  const bands = useWorkbench((s) => s.populationBands);
  const bandsStatus = useWorkbench((s) => s.bandsStatus);
  const bandsMessage = useWorkbench((s) => s.bandsMessage);
  const syncPopulation = useWorkbench((s) => s.syncPopulation);
  // The population follows every input (debounced in the store); patient mode stops its work.
  useEffect(() => {
    syncPopulation();
  }, [syncPopulation, mode, regimen, threshold, population, regimenModelId, savedFits]);
  const predictor = useMemo(
    () => activePredictor({ regimenModelId, savedFits }),
    [regimenModelId, savedFits],
  );
  const hasBiomarker = predictsBiomarker({ regimenModelId, savedFits });
  // Deferred inputs keep a dragged slider responsive: React renders the newest value it can.
  const inputs = useDeferredValue({ regimen, patient, threshold, predictor });

  const outcome = useMemo((): { prediction: RegimenPrediction } | { error: string } => {
    try {
      return {
        prediction: predictRegimen(
          inputs.predictor,
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
      <div className="panel">
        <RegimenModelPicker />
        <RegimenControls />
      </div>
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
              modelLabel={inputs.predictor.label}
              hasBiomarker={hasBiomarker}
              populationSummary={
                mode === 'population' ? (
                  <PopulationAttainment hasBiomarker={hasBiomarker} />
                ) : undefined
              }
            />
            {mode === 'population' && bandsStatus === 'error' && bandsMessage ? (
              <div className="alert error" role="alert" data-testid="population-bands-error">
                {bandsMessage}
              </div>
            ) : mode === 'population' && bandsMessage ? (
              <div className="alert warn small" role="note">
                {bandsMessage}
              </div>
            ) : null}
            <RegimenCharts
              prediction={outcome.prediction}
              threshold={inputs.threshold}
              interval={inputs.regimen.interval}
              {...(mode === 'population'
                ? { bands: bands?.result ?? null, bandsUpdating: bandsStatus === 'running' }
                : {})}
            />
          </>
        )}
      </div>
    </div>
  );
}
