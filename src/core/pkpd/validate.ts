import type { PdParameters, PkParameters } from './types';

/**
 * Parameter checks shared by the engines, the population model and the CLI. Every message
 * names the parameter and the offending value, e.g. `PD parameter IC50 must be > 0, got -1`,
 * so a user editing a spec or a fitted model knows what to change.
 */

const PK_TYPES: readonly PkParameters['type'][] = ['oral1', 'iv1', 'oral2', 'iv2'];

const PD_TYPES: readonly PdParameters['type'][] = [
  'direct-imax',
  'direct-emax',
  'effect-compartment',
  'indirect-inhibit-production',
  'indirect-inhibit-loss',
  'indirect-stimulate-production',
  'indirect-stimulate-loss',
];

/** Names of the numeric PK parameters, in the order of `PkParameters`. */
export const PK_PARAMETER_NAMES = [
  'CL',
  'V',
  'ka',
  'Q',
  'V2',
  'F1',
  'F2',
  'lag1',
  'lag2',
  'rate1',
  'rate2',
  'dur1',
  'dur2',
] as const;

/** Names of the numeric PD parameters over all PD families. */
export const PD_PARAMETER_NAMES = [
  'baseline',
  'Imax',
  'IC50',
  'Emax',
  'EC50',
  'hill',
  'ke0',
  'kout',
] as const;

export type PkParameterName = (typeof PK_PARAMETER_NAMES)[number];
export type PdParameterName = (typeof PD_PARAMETER_NAMES)[number];

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

type Rule = 'positive' | 'nonNegative' | 'fraction';

function check(
  kind: 'PK' | 'PD',
  name: string,
  value: unknown,
  rule: Rule,
  required: boolean,
): void {
  if (value === undefined) {
    if (required) throw new Error(`${kind} parameter ${name} is required`);
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${kind} parameter ${name} must be a finite number, got ${show(value)}`);
  }
  if (rule === 'positive' && !(value > 0)) {
    throw new Error(`${kind} parameter ${name} must be > 0, got ${value}`);
  }
  if (rule === 'nonNegative' && !(value >= 0)) {
    throw new Error(`${kind} parameter ${name} must be ≥ 0, got ${value}`);
  }
  if (rule === 'fraction' && !(value >= 0 && value <= 1)) {
    throw new Error(`${kind} parameter ${name} must be between 0 and 1, got ${value}`);
  }
}

/** Throws an error naming the first invalid PK parameter. */
export function validatePkParameters(pk: PkParameters): void {
  if (pk === null || typeof pk !== 'object') throw new Error('PK parameters must be an object');
  if (!PK_TYPES.includes(pk.type)) {
    throw new Error(
      `PK parameter type must be one of ${PK_TYPES.join(', ')}, got ${show(pk.type)}`,
    );
  }
  const oral = pk.type === 'oral1' || pk.type === 'oral2';
  const twoCmt = pk.type === 'oral2' || pk.type === 'iv2';
  check('PK', 'CL', pk.CL, 'positive', true);
  check('PK', 'V', pk.V, 'positive', true);
  check('PK', 'ka', pk.ka, 'positive', oral);
  check('PK', 'Q', pk.Q, 'positive', twoCmt);
  check('PK', 'V2', pk.V2, 'positive', twoCmt);
  // Bioavailability may exceed 1 in NONMEM (a relative F); it must not be negative.
  check('PK', 'F1', pk.F1, 'nonNegative', false);
  check('PK', 'F2', pk.F2, 'nonNegative', false);
  check('PK', 'lag1', pk.lag1, 'nonNegative', false);
  check('PK', 'lag2', pk.lag2, 'nonNegative', false);
  check('PK', 'rate1', pk.rate1, 'positive', false);
  check('PK', 'rate2', pk.rate2, 'positive', false);
  check('PK', 'dur1', pk.dur1, 'positive', false);
  check('PK', 'dur2', pk.dur2, 'positive', false);
}

/**
 * Throws an error naming the first invalid PD parameter. Bounds keep the biomarker finite
 * and non-negative for every concentration ≥ 0: inhibition fractions Imax lie in [0, 1], and a
 * negative Emax of an additive model may at most cancel the baseline.
 */
export function validatePdParameters(pd: PdParameters): void {
  if (pd === null || typeof pd !== 'object') throw new Error('PD parameters must be an object');
  if (!PD_TYPES.includes(pd.type)) {
    throw new Error(
      `PD parameter type must be one of ${PD_TYPES.join(', ')}, got ${show(pd.type)}`,
    );
  }
  check('PD', 'baseline', pd.baseline, 'positive', true);
  check('PD', 'hill', pd.hill, 'positive', false);
  switch (pd.type) {
    case 'direct-imax':
      check('PD', 'Imax', pd.Imax, 'fraction', true);
      check('PD', 'IC50', pd.IC50, 'positive', true);
      break;
    case 'direct-emax':
    case 'effect-compartment':
      if (pd.type === 'effect-compartment') check('PD', 'ke0', pd.ke0, 'positive', true);
      check('PD', 'EC50', pd.EC50, 'positive', true);
      // Emax may be negative (an inhibitory effect) down to −baseline.
      if (typeof pd.Emax !== 'number' || !Number.isFinite(pd.Emax)) {
        throw new Error(`PD parameter Emax must be a finite number, got ${show(pd.Emax)}`);
      }
      if (pd.Emax < -pd.baseline) {
        throw new Error(
          `PD parameter Emax must be ≥ −baseline (${-pd.baseline}) so the biomarker stays ≥ 0, got ${pd.Emax}`,
        );
      }
      break;
    default: {
      check('PD', 'kout', pd.kout, 'positive', true);
      const inhibits =
        pd.type === 'indirect-inhibit-production' || pd.type === 'indirect-inhibit-loss';
      if (inhibits) {
        check('PD', 'Imax', pd.Imax, 'fraction', true);
        check('PD', 'IC50', pd.IC50, 'positive', true);
      } else {
        check('PD', 'Emax', pd.Emax, 'nonNegative', true);
        check('PD', 'EC50', pd.EC50, 'positive', true);
      }
    }
  }
}
