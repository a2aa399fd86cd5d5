import { useWorkbench } from '../../state/store';
import { formatDuration, formatNumber } from '../charts/format';
import { HeadParameters } from './HeadParameters';
import { LossChart } from './LossChart';
import { backendName } from './TrainingCard';
import { hasHybridLayers } from '../../core/neural/types';
import { ENCODER_INFO, FRAMEWORK_INFO, READOUT_INFO } from './labels';

/** The open model: how well it predicts subjects it never saw, how it trained, what it knows. */
export function NeuralModelCard() {
  const meta = useWorkbench((s) => s.neuralModels.find((m) => m.id === s.currentNeuralId));
  const setRegimenModel = useWorkbench((s) => s.setRegimenModel);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  const regimenModelId = useWorkbench((s) => s.regimenModelId);
  if (!meta) {
    return (
      <section className="card" data-testid="neural-model-empty">
        <h2>No neural model open</h2>
        <p className="muted">
          Train a model (the defaults take about a minute on the demo trial) or open a saved one.
          Each model is scored on subjects it never saw, and its predictions appear in the Curves
          and Regimen panels.
        </p>
      </section>
    );
  }
  const t = meta.training;
  const c = meta.config;
  const d = meta.domain;
  return (
    <section className="card" aria-labelledby="neural-model-title" data-testid="neural-model">
      <div className="row">
        <h2 id="neural-model-title" style={{ margin: 0 }}>
          {meta.label}
        </h2>
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            setRegimenModel(meta.id);
            setActivePanel('regimen');
          }}
          data-testid="neural-use-in-regimen"
          disabled={regimenModelId === meta.id}
        >
          {regimenModelId === meta.id ? 'Used in the Regimen explorer' : 'Use in Regimen explorer'}
        </button>
        <button type="button" className="secondary" onClick={() => setActivePanel('curves')}>
          See curves
        </button>
      </div>
      <p className="muted small">
        {FRAMEWORK_INFO[c.framework].label} · {ENCODER_INFO[c.encoder].label} ·{' '}
        {c.head === 'parameters'
          ? 'outputs PK/PD parameters'
          : 'outputs concentration and biomarker'}{' '}
        · hidden {c.hidden}
        {hasHybridLayers(c.encoder)
          ? ` · ${c.qubits} qubits × ${c.qlayers} circuit layers, readout ${READOUT_INFO[c.readout].label}${c.quantumSkip ? ' with' : ' without'} the classical skip`
          : ''}
        {t.parameters !== undefined
          ? ` · ${t.parameters.toLocaleString('en-US')} trainable parameters${t.quantumParameters ? ` (${t.quantumParameters} quantum angles)` : ''}`
          : ''}{' '}
        · {meta.features.baseline ? 'with' : 'without'} the pre-dose biomarker · trained on{' '}
        {t.dataLabel} ({t.trainSubjects.length} subjects, {t.validationSubjects.length} for early
        stopping) on {backendName(t.backend)} in {formatDuration(t.seconds * 1000)}, best epoch{' '}
        {t.bestEpoch} of {t.epochs}.
      </p>
      <div className="neural-metrics" data-testid="neural-metrics">
        <div className="neural-metric">
          <span className="muted small">Concentration RMSE, held out</span>
          <strong data-testid="neural-pk-rmse">
            {t.pkRmse === null ? '—' : `${formatNumber(t.pkRmse, 3)} mg/L`}
          </strong>
          <span className="muted small">{t.pkRows} observations</span>
        </div>
        <div className="neural-metric">
          <span className="muted small">Biomarker RMSE, held out</span>
          <strong data-testid="neural-pd-rmse">
            {t.pdRmse === null ? '—' : `${formatNumber(t.pdRmse, 3)} ng/mL`}
          </strong>
          <span className="muted small">{t.pdRows} observations</span>
        </div>
        <div className="neural-metric">
          <span className="muted small">Held-out subjects</span>
          <strong>{t.testSubjects.length}</strong>
          <span className="muted small" title={t.testSubjects.join(', ')}>
            IDs {t.testSubjects.slice(0, 8).join(', ')}
            {t.testSubjects.length > 8 ? ', …' : ''}
          </span>
        </div>
      </div>
      {c.head === 'parameters' ? <HeadParameters meta={meta} /> : null}
      <LossChart history={t.history} bestEpoch={t.bestEpoch} height={180} />
      <p className="muted small" data-testid="neural-domain">
        Trained on doses {d.doseRange[0]}–{d.doseRange[1]} mg, intervals {d.intervals.join(', ')} h,
        body weight {formatNumber(d.bwRange[0], 3)}–{formatNumber(d.bwRange[1], 3)} kg, COMED{' '}
        {d.comedValues.join('/')}. Predictions outside these are marked as extrapolations.
      </p>
    </section>
  );
}
