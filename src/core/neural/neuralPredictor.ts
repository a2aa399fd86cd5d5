import { bandsOf, type PercentileBands } from '../dosing/populationBands';
import type { Covariates, PkPdPredictor } from '../models/types';
import type { DoseEvent, PkPdParameters, SimulationResult } from '../pkpd/types';
import { predictRegimen, regimenFeatures, scaleFeatures } from './features';
import type { NeuralModelRecord } from './modelFile';
import { restoreNetwork } from './networks';
import type { TrainedNetwork } from './types';

/**
 * A trained neural model as a model like any other (PkPdPredictor), so the Regimen explorer
 * and the Curves panel use it exactly as they use a fit: typical-patient predictions for the
 * covariates and dose records given, with the training data's doses, intervals, weights and
 * COMED values as its domain. Predictions run synchronously on the tfjs backend of the
 * calling thread (the networks are small: a regimen's curve takes milliseconds on the CPU).
 */

/** Monte Carlo dropout samples for an uncertainty band. */
export const MC_DROPOUT_SAMPLES = 40;

/** 5–95% and 25–75% bands and the median over MC-dropout samples (no bands without dropout). */
export interface UncertaintyBands {
  readonly times: Float64Array;
  readonly samples: number;
  readonly concentration: PercentileBands;
  readonly biomarker: PercentileBands;
}

export interface NeuralPredictor extends PkPdPredictor {
  readonly kind: 'neural';
  readonly record: NeuralModelRecord;
  /**
   * The spread of MC-dropout predictions (the network's own uncertainty, not the spread
   * between patients). Null when the model was trained without dropout.
   */
  uncertainty(
    covariates: Covariates,
    events: readonly DoseEvent[],
    times: ArrayLike<number>,
    samples?: number,
  ): UncertaintyBands | null;
  /**
   * A parameter-head model's compartmental PK/PD parameters for a patient (engine units);
   * undefined for a direct network.
   */
  parameters?(covariates: Covariates): PkPdParameters;
  /** Frees the network's tensors; the predictor cannot be used afterwards. */
  dispose(): void;
}

/** Throws a plain message when a prediction is not a finite number everywhere. */
function checkFinite(values: Float64Array, what: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`The network predicted a non-finite ${what}`);
  }
  return values;
}

/**
 * The predictor for a saved model. `network` is for tests (a network already in memory);
 * otherwise the weights are read back from the record.
 */
export function neuralPredictor(
  record: NeuralModelRecord,
  network: TrainedNetwork = restoreNetwork(record.config, record.inputWidth, record.weights, {
    bestEpoch: record.training.bestEpoch,
    epochs: record.training.epochs,
  }),
): NeuralPredictor {
  const run = (
    covariates: Covariates,
    events: readonly DoseEvent[],
    times: ArrayLike<number>,
    dropoutSeed?: number,
  ) =>
    predictRegimen(
      network,
      record.scaler,
      events,
      covariates,
      Array.from(times),
      record.features,
      dropoutSeed,
    );
  return {
    id: record.id,
    label: `Neural: ${record.label}`,
    kind: 'neural',
    record,
    domain: record.domain,
    // A direct network reads time since the first dose and doses so far: beyond the data's
    // follow-up it extrapolates blindly. The parameter head simulates a compartmental model.
    ...(record.config.head === 'direct' && record.domain.maxFollowUp !== undefined
      ? { horizon: record.domain.maxFollowUp }
      : {}),
    predict(covariates, events, times): SimulationResult {
      const out = run(covariates, events, times);
      return {
        times: Float64Array.from(times),
        concentration: checkFinite(out.concentration, 'concentration'),
        biomarker: checkFinite(out.biomarker, 'biomarker'),
      };
    },
    uncertainty(covariates, events, times, samples = MC_DROPOUT_SAMPLES) {
      if (!(record.config.dropout > 0)) return null;
      // Time-major, as bandsOf reads them: [i·samples + s] is sample s at time i.
      const n = times.length;
      const pk = new Float64Array(n * samples);
      const pd = new Float64Array(n * samples);
      for (let s = 0; s < samples; s++) {
        // Fixed seeds: the band does not flicker when the same regimen is drawn again.
        const out = run(covariates, events, times, 1000 + s);
        const c = checkFinite(out.concentration, 'concentration');
        const b = checkFinite(out.biomarker, 'biomarker');
        for (let i = 0; i < n; i++) {
          pk[i * samples + s] = c[i];
          pd[i * samples + s] = b[i];
        }
      }
      return {
        times: Float64Array.from(times),
        samples,
        concentration: bandsOf(pk, n, samples),
        biomarker: bandsOf(pd, n, samples),
      };
    },
    ...(network.individualParameters
      ? {
          parameters: (covariates: Covariates) => {
            // The covariates' feature row (no doses: the head reads only the covariates).
            const raw = regimenFeatures([], covariates, [0], record.features);
            const x = scaleFeatures(record.scaler, raw, 1);
            return (network.individualParameters as (x: Float32Array) => PkPdParameters)(x);
          },
        }
      : {}),
    dispose: () => network.dispose(),
  };
}
