import { useDeferredValue, useEffect, useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { activeModelState, activePredictor, predictsBiomarker } from '../../state/activeModel';
import { isNeuralModelId } from '../../state/neuralModels';
import type { NeuralPredictor } from '../../core/neural/neuralPredictor';
import { predictRegimen, type RegimenPrediction } from '../../core/models/regimenPrediction';
import { regimenToEvents } from '../../core/pkpd/regimen';
import { thinEvenly } from '../charts/format';
import { RegimenControls } from './RegimenControls';
import { RegimenMetrics } from './RegimenMetrics';
import { RegimenCharts } from './RegimenCharts';
import { RegimenModelPicker } from './RegimenModelPicker';
import { PopulationAttainment } from './PopulationAttainment';
import { SharedRegimenNotice } from './ShareRegimen';

/** Points of the MC-dropout band (each sample is a pass of the network over them). */
const UNCERTAINTY_POINTS = 300;

/** Regimen explorer: tune a regimen and see PK, PD and the steady-state verdict at once. */
export function RegimenPanel() {
  const regimen = useWorkbench((s) => s.regimen);
  const patient = useWorkbench((s) => s.patient);
  const threshold = useWorkbench((s) => s.threshold);
  const regimenModelId = useWorkbench((s) => s.regimenModelId);
  const savedFits = useWorkbench((s) => s.savedFits);
  const neuralLoaded = useWorkbench((s) => s.neuralLoaded);
  const neuralLoadErrors = useWorkbench((s) => s.neuralLoadErrors);
  const showUncertainty = useWorkbench((s) => s.neuralUncertainty);
  const modelMode = useWorkbench((s) => s.regimenMode);
  // A neural model has no population: it answers for the patient only.
  const mode = isNeuralModelId(regimenModelId) ? 'patient' : modelMode;
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
    () => activePredictor({ regimenModelId, savedFits, neuralLoaded }),
    [regimenModelId, savedFits, neuralLoaded],
  );
  const modelState = activeModelState({
    regimenModelId,
    savedFits,
    neuralLoaded,
    neuralLoadErrors,
  });
  const hasBiomarker = predictsBiomarker({ regimenModelId, savedFits });
  // Deferred inputs keep a dragged slider responsive: React renders the newest value it can.
  const inputs = useDeferredValue({ regimen, patient, threshold, predictor, showUncertainty });

  const outcome = useMemo((): { prediction: RegimenPrediction } | { error: string } | null => {
    if (modelState.state !== 'ready') return null;
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
  }, [inputs, modelState.state]);

  // The network's own uncertainty (MC dropout) on the plotted curve, when asked for.
  const uncertainty = useMemo(() => {
    const p = inputs.predictor as Partial<NeuralPredictor>;
    if (!inputs.showUncertainty || p.kind !== 'neural' || !p.uncertainty) return null;
    if (!outcome || 'error' in outcome) return null;
    try {
      const { curve } = outcome.prediction;
      return p.uncertainty(
        { ...inputs.patient },
        regimenToEvents(inputs.regimen),
        Float64Array.from(thinEvenly(Array.from(curve.times), UNCERTAINTY_POINTS)),
      );
    } catch {
      return null;
    }
  }, [inputs, outcome]);

  return (
    <div className="grid-sidebar" data-testid="regimen-panel">
      <div className="panel">
        <SharedRegimenNotice />
        <RegimenModelPicker />
        <RegimenControls />
      </div>
      <div className="panel">
        {outcome === null ? (
          modelState.state === 'error' ? (
            <div className="alert error" role="alert">
              {modelState.message}
            </div>
          ) : (
            <div className="card" role="status" data-testid="regimen-model-loading">
              Loading the model…
            </div>
          )
        ) : 'error' in outcome ? (
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
              uncertainty={uncertainty}
              canShowUncertainty={predictor.kind === 'neural'}
            />
          </>
        )}
      </div>
    </div>
  );
}
