import type { EstimateRow } from '../../core/nlme/types';
import type { PdParameters } from '../../core/pkpd/types';

/** The groups of a fit's parameter table (and of the dose report's), by kind of estimate. */
export const ESTIMATE_KIND_LABELS: Readonly<Record<EstimateRow['kind'], string>> = {
  theta: 'Typical values',
  covariate: 'Covariate effects',
  omega: 'Between-subject variability',
  correlation: 'Correlation of random effects',
  sigma: 'Residual error',
};

/** Unit and plain meaning of a structural parameter, as the spec editor shows them. */
export function parameterInfo(
  name: string,
  pd?: PdParameters['type'],
): { unit: string; meaning: string } {
  switch (name) {
    case 'CL':
      return { unit: 'L/h', meaning: 'clearance' };
    case 'V':
      return { unit: 'L', meaning: 'central volume' };
    case 'ka':
      return { unit: '1/h', meaning: 'absorption rate constant' };
    case 'Q':
      return { unit: 'L/h', meaning: 'inter-compartmental clearance' };
    case 'V2':
      return { unit: 'L', meaning: 'peripheral volume' };
    case 'baseline':
      return { unit: 'ng/mL', meaning: 'biomarker without drug' };
    case 'kout':
      return { unit: '1/h', meaning: 'biomarker turnover rate' };
    case 'ke0':
      return { unit: '1/h', meaning: 'effect-compartment equilibration rate' };
    case 'Imax':
      return { unit: 'fraction', meaning: 'maximum inhibition' };
    case 'IC50':
      return { unit: 'mg/L', meaning: 'concentration for half the maximum inhibition' };
    case 'Emax':
      return pd === 'indirect-stimulate-production' || pd === 'indirect-stimulate-loss'
        ? { unit: 'fraction', meaning: 'maximum stimulation' }
        : { unit: 'ng/mL', meaning: 'maximum effect' };
    case 'EC50':
      return { unit: 'mg/L', meaning: 'concentration for half the maximum effect' };
    case 'hill':
      return { unit: '', meaning: 'Hill coefficient (steepness)' };
    default:
      return { unit: '', meaning: '' };
  }
}

export const TRANSFORM_LABELS = {
  log: 'log-normal',
  logit: 'logit-normal',
  identity: 'normal',
} as const;
