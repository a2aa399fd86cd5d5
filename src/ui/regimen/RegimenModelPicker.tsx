import { useId } from 'react';
import { useWorkbench } from '../../state/store';
import { DEMO_TRUTH_ID } from '../../state/slices/savedFitsSlice';
import { formatObjective } from '../charts/format';

/** Which model answers: the demo trial's true model (default) or any saved fit. */
export function RegimenModelPicker() {
  const id = useId();
  const regimenModelId = useWorkbench((s) => s.regimenModelId);
  const savedFits = useWorkbench((s) => s.savedFits);
  const neuralModels = useWorkbench((s) => s.neuralModels);
  const loadError = useWorkbench((s) => s.neuralLoadErrors[s.regimenModelId]);
  const setRegimenModel = useWorkbench((s) => s.setRegimenModel);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  const population = useWorkbench((s) => s.regimenMode === 'population');
  const chosen = savedFits.find((f) => f.id === regimenModelId);
  const neural = neuralModels.find((m) => m.id === regimenModelId);
  const value = chosen ? chosen.id : neural ? neural.id : DEMO_TRUTH_ID;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Model</h2>
      <div className="field">
        <label htmlFor={`${id}-model`}>Predict with</label>
        <select
          id={`${id}-model`}
          value={value}
          onChange={(e) => setRegimenModel(e.currentTarget.value)}
          data-testid="regimen-model"
        >
          <option value={DEMO_TRUTH_ID}>Demo trial&apos;s true model</option>
          {savedFits.length > 0 ? (
            <optgroup label="Saved fits">
              {savedFits.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label} (OFV {formatObjective(f.ofv)})
                </option>
              ))}
            </optgroup>
          ) : null}
          {neuralModels.length > 0 ? (
            <optgroup label="Neural models">
              {neuralModels.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        <span className="muted small" data-testid="regimen-model-note">
          {neural ? (
            <>
              A neural network ({neural.config.framework}, {neural.config.encoder}) trained on{' '}
              {neural.training.dataLabel}: predictions for the patient below
              {neural.features.baseline
                ? ' (its pre-dose biomarker is taken as the training average)'
                : ''}
              ; anything outside what it was trained on is marked.
              {population
                ? ' Population bands need a population model (a fit or the true model): a network has no between-subject variability to draw.'
                : ''}
              {loadError ? (
                <span className="alert error small" role="alert">
                  {loadError}
                </span>
              ) : null}
            </>
          ) : chosen ? (
            <>
              {chosen.modelName} fitted on {chosen.dataName}
              {chosen.converged ? '' : ' (did not converge)'};{' '}
              {population
                ? 'the bands draw patients with its between-subject variability, the blue curve is the typical patient with the weight and COMED below.'
                : 'predictions are for the typical patient with the weight and COMED below.'}
              {chosen.model.pd === undefined
                ? ' This model has no biomarker: only concentrations are predicted.'
                : ''}
            </>
          ) : savedFits.length === 0 ? (
            <>
              Fit a model in the{' '}
              <button type="button" className="link" onClick={() => setActivePanel('model')}>
                Model fit
              </button>{' '}
              panel to use it here.
            </>
          ) : (
            'The model the demo trial was simulated from.'
          )}
        </span>
      </div>
    </section>
  );
}
