import type { Dataset } from '../core/data/types';
import type { FitModelSpec, FitResult } from '../core/nlme/types';
import { TRUE_MODEL } from '../core/trial/trueModel';

/** A one-parameter PK spec (CL with a random effect) for hand-made fits. */
export const TINY_PK_SPEC: FitModelSpec = {
  name: 'pk1-oral',
  pk: 'oral1',
  endpoints: 'pk',
  parameters: [{ name: 'CL', initial: 0.05, omega: 0.3 }],
  covariates: [],
  residual: {},
};

/**
 * A small, hand-made FitResult for tests of the state layer (file format, storage, slices): the
 * shape of the core's result, not its numbers. The model is the demo trial's true model.
 */
export function fakeFitResult(spec: FitModelSpec, dataset: Pick<Dataset, 'name'>): FitResult {
  return {
    method: 'FOCE-I',
    spec,
    converged: true,
    message: 'Relative change in OFV below 1e-4.',
    iterations: 12,
    ofv: -1234.5,
    minus2LL: 2345.6,
    aic: 2371.6,
    bic: 2420.1,
    nObservations: 3,
    nSubjects: 1,
    nParameters: 13,
    estimates: [
      {
        name: 'CL',
        kind: 'theta',
        estimate: 0.045,
        unit: 'L/h',
        fixed: false,
        se: 0.002,
        rse: 4.4,
        meaning: 'half-life 146 h for a 70 kg patient',
      },
      { name: 'ω CL', kind: 'omega', estimate: 0.25, unit: '', fixed: false, shrinkage: 12 },
      { name: 'hill', kind: 'theta', estimate: 1, unit: '', fixed: true },
    ],
    identifiability: [{ parameter: 'ka', reason: 'few observations during absorption' }],
    covarianceStep: { ok: true, message: 'Standard errors from the Hessian.', method: 'R' },
    etaNames: ['CL'],
    omegaMatrix: [0.0625],
    subjects: [
      {
        id: '1',
        covariates: { BW: 70, COMED: 0 },
        eta: [0.1],
        parameters: { CL: 0.05, V: 9.5, ka: 1 },
        ofv: -20,
        observations: [
          { time: 1, dvid: 1, dv: 0.5, pred: 0.45, ipred: 0.49, cwres: 0.3, iwres: 0.2 },
          { time: 24, dvid: 1, dv: 0.9, pred: 1, ipred: 0.95, cwres: NaN, iwres: -0.4 },
          { time: 24, dvid: 2, dv: 8, pred: 8.5, ipred: 8.1, cwres: -0.5, iwres: -0.1 },
        ],
      },
    ],
    model: TRUE_MODEL,
    dataName: dataset.name,
    finishedAt: '2025-05-01T10:00:00.000Z',
    elapsedMs: 4200,
  };
}
