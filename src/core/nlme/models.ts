import type { Dataset, SubjectData } from '../data/types';
import { expandDoses } from '../pkpd/doseEvents';
import type { ParameterName, ResidualErrorModel } from '../pkpd/population';
import type { PdParameters, PkParameters } from '../pkpd/types';
import type { FitCovariateSpec, FitModelSpec, FitParameterSpec } from './types';

/**
 * Named fit models: `<pk>[-<pd>]`, e.g. `pk1-oral`, `pk1-oral-idr1`, `pk2-iv-emax`.
 *
 * PK: pk1-oral (ka, CL, V), pk2-oral (ka, CL, V, Q, V2), pk1-iv (CL, V), pk2-iv (CL, V, Q, V2).
 * PD: imax (direct: baseline, Imax, IC50), emax (direct: baseline, Emax, EC50), effect (effect
 * compartment: baseline, ke0, Emax, EC50), idr1 (indirect response, inhibition of production:
 * baseline, kout, Imax, IC50), idr2 (inhibition of loss), idr3 (stimulation of production:
 * baseline, kout, Emax, EC50), idr4 (stimulation of loss).
 */
export const PK_MODELS = {
  'pk1-oral': 'oral1',
  'pk2-oral': 'oral2',
  'pk1-iv': 'iv1',
  'pk2-iv': 'iv2',
} as const satisfies Record<string, PkParameters['type']>;

export const PD_MODELS = {
  imax: 'direct-imax',
  emax: 'direct-emax',
  effect: 'effect-compartment',
  idr1: 'indirect-inhibit-production',
  idr2: 'indirect-inhibit-loss',
  idr3: 'indirect-stimulate-production',
  idr4: 'indirect-stimulate-loss',
} as const satisfies Record<string, PdParameters['type']>;

export type PkModelName = keyof typeof PK_MODELS;
export type PdModelName = keyof typeof PD_MODELS;

/** Every model name the fitter accepts, PK-only first. */
export const FIT_MODEL_NAMES: readonly string[] = [
  ...Object.keys(PK_MODELS),
  ...Object.keys(PK_MODELS).flatMap((pk) => Object.keys(PD_MODELS).map((pd) => `${pk}-${pd}`)),
];

/** Plain-language description of a model name, for menus and the README. */
export function describeModel(name: string): string {
  const { pk, pd } = parseModelName(name);
  const pkText: Record<PkModelName, string> = {
    'pk1-oral': '1-compartment, first-order absorption',
    'pk2-oral': '2-compartment, first-order absorption',
    'pk1-iv': '1-compartment, intravenous',
    'pk2-iv': '2-compartment, intravenous',
  };
  const pdText: Record<PdModelName, string> = {
    imax: 'direct inhibitory Imax',
    emax: 'direct Emax',
    effect: 'effect compartment with Emax',
    idr1: 'indirect response, inhibition of production',
    idr2: 'indirect response, inhibition of loss',
    idr3: 'indirect response, stimulation of production',
    idr4: 'indirect response, stimulation of loss',
  };
  return pd ? `${pkText[pk]} PK + ${pdText[pd]} PD` : `${pkText[pk]} PK`;
}

export function parseModelName(name: string): { pk: PkModelName; pd?: PdModelName } {
  const m = /^(pk[12]-(?:oral|iv))(?:-([a-z0-9]+))?$/.exec(name.trim());
  const pk = m?.[1] as PkModelName | undefined;
  const pd = m?.[2] as PdModelName | undefined;
  if (!m || !pk || !(pk in PK_MODELS) || (pd !== undefined && !(pd in PD_MODELS))) {
    throw new Error(
      `Unknown model "${name}". Models are <pk>[-<pd>] with pk one of ${Object.keys(PK_MODELS).join(', ')} and pd one of ${Object.keys(PD_MODELS).join(', ')} (e.g. pk1-oral-idr1).`,
    );
  }
  return pd ? { pk, pd } : { pk };
}

/** The model a data set most likely wants: oral when doses go to the depot, PD when observed. */
export function defaultModelName(ds: Dataset): string {
  const doses = ds.subjects.flatMap((s) => s.doses.filter((d) => d.evid !== 3));
  const oral = doses.length === 0 || doses.some((d) => d.cmt === 1);
  const hasPd = ds.subjects.some((s) => s.observations.some((o) => o.dvid === 2));
  return `${oral ? 'pk1-oral' : 'pk1-iv'}${hasPd ? '-idr1' : ''}`;
}

function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Rough PK starting values from the data (dose-normalised peak and terminal slope). */
export function pkStartingValues(ds: Dataset): { ka: number; CL: number; V: number } {
  const ks: number[] = [];
  const vs: number[] = [];
  const kas: number[] = [];
  for (const s of ds.subjects) {
    const doses = expandDoses(s.doses).filter((d) => d.amt > 0 && d.evid !== 3);
    const conc = s.observations.filter((o) => o.dvid === 1 && o.dv > 0);
    if (doses.length === 0 || conc.length < 3) continue;
    const first = doses[0];
    const next = doses.find((d) => d.time > first.time)?.time ?? Infinity;
    const early = conc.filter((o) => o.time > first.time && o.time < next);
    const last = doses[doses.length - 1];
    const tail = conc.filter((o) => o.time > last.time);
    const k = terminalSlope(tail.length >= 3 ? tail : conc);
    if (!(k > 0)) continue;
    ks.push(k);
    const peak = early.reduce<(typeof conc)[number] | null>(
      (best, o) => (best && best.dv >= o.dv ? best : o),
      null,
    );
    if (!peak) continue;
    const tmax = peak.time - first.time;
    vs.push((first.amt * Math.exp(-k * tmax)) / peak.dv);
    kas.push(absorptionRate(k, tmax));
  }
  const k = median(ks);
  const V = median(vs);
  const ka = median(kas);
  const safeV = Number.isFinite(V) && V > 0 ? V : 10;
  const safeK = Number.isFinite(k) && k > 0 ? k : 0.1;
  return { ka: Number.isFinite(ka) && ka > 0 ? ka : 1, CL: safeK * safeV, V: safeV };
}

/** Least-squares slope of log concentration over the last three to five points (1/h). */
function terminalSlope(obs: readonly { time: number; dv: number }[]): number {
  const pts = obs.slice(-Math.min(5, obs.length)).filter((o) => o.dv > 0);
  if (pts.length < 2) return NaN;
  const mt = pts.reduce((a, o) => a + o.time, 0) / pts.length;
  const my = pts.reduce((a, o) => a + Math.log(o.dv), 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const o of pts) {
    sxy += (o.time - mt) * (Math.log(o.dv) - my);
    sxx += (o.time - mt) ** 2;
  }
  return sxx > 0 ? -sxy / sxx : NaN;
}

/** ka > k with tmax = ln(ka/k)/(ka − k), by bisection on log ka; 1 h⁻¹ when tmax is unusable. */
function absorptionRate(k: number, tmax: number): number {
  if (!(tmax > 0) || !(k > 0) || tmax >= 1 / k) return 1;
  const f = (ka: number) => Math.log(ka / k) / (ka - k) - tmax;
  let lo = Math.log(k * 1.0001);
  let hi = Math.log(k * 1e4);
  if (f(Math.exp(hi)) > 0) return Math.exp(hi);
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (f(Math.exp(mid)) > 0) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Drug-free biomarker level: observations up to the first dose, else placebo subjects, else all. */
export function baselineStartingValue(ds: Dataset): number {
  const pre: number[] = [];
  const placebo: number[] = [];
  const all: number[] = [];
  for (const s of ds.subjects) {
    const firstDose = firstDoseTime(s);
    for (const o of s.observations) {
      if (o.dvid !== 2) continue;
      all.push(o.dv);
      if (o.time <= firstDose) pre.push(o.dv);
      if (firstDose === Infinity) placebo.push(o.dv);
    }
  }
  for (const v of [pre, placebo, all]) {
    const m = median(v);
    if (m > 0) return m;
  }
  return 1;
}

function firstDoseTime(s: SubjectData): number {
  return s.doses.filter((d) => d.amt > 0).reduce((m, d) => Math.min(m, d.time), Infinity);
}

function medianConcentration(ds: Dataset): number {
  const values = ds.subjects.flatMap((s) =>
    s.observations.filter((o) => o.dvid === 1 && o.dv > 0).map((o) => o.dv),
  );
  const c = median(values);
  return c > 0 ? c : 1;
}

function param(
  name: ParameterName,
  initial: number,
  omega?: number,
  transform?: 'log' | 'logit',
): FitParameterSpec {
  return {
    name,
    initial,
    ...(omega !== undefined ? { omega } : {}),
    ...(transform ? { transform } : {}),
  };
}

/**
 * A complete fit specification for a named model on a data set, with starting values taken
 * from the data, between-subject variability on the parameters the data usually inform, body
 * weight (power, reference 70 kg) on CL and V when BW is present, and COMED (categorical) on the
 * biomarker baseline when COMED is present and PD is fitted.
 */
export function buildFitSpec(name: string, ds: Dataset): FitModelSpec {
  const { pk, pd } = parseModelName(name);
  const pkType = PK_MODELS[pk];
  const start = pkStartingValues(ds);
  const parameters: FitParameterSpec[] = [];
  const oral = pkType === 'oral1' || pkType === 'oral2';
  if (oral) parameters.push(param('ka', start.ka, 0.3));
  parameters.push(param('CL', start.CL, 0.3), param('V', start.V, 0.3));
  if (pkType === 'oral2' || pkType === 'iv2') {
    parameters.push(param('Q', start.CL, undefined), param('V2', start.V * 2, undefined));
  }
  const pdType = pd ? PD_MODELS[pd] : undefined;
  if (pdType) {
    const baseline = baselineStartingValue(ds);
    const c50 = medianConcentration(ds);
    parameters.push(param('baseline', baseline, 0.2));
    switch (pdType) {
      case 'direct-imax':
        parameters.push(param('Imax', 0.5, undefined, 'logit'), param('IC50', c50, 0.3));
        break;
      case 'direct-emax':
        parameters.push(param('Emax', baseline, undefined), param('EC50', c50, 0.3));
        break;
      case 'effect-compartment':
        parameters.push(
          param('ke0', 0.1, undefined),
          param('Emax', baseline, undefined),
          param('EC50', c50, 0.3),
        );
        break;
      case 'indirect-inhibit-production':
      case 'indirect-inhibit-loss':
        parameters.push(
          param('kout', 0.05, 0.2),
          param('Imax', 0.5, undefined, 'logit'),
          param('IC50', c50, 0.3),
        );
        break;
      case 'indirect-stimulate-production':
      case 'indirect-stimulate-loss':
        parameters.push(
          param('kout', 0.05, 0.2),
          param('Emax', 1, undefined),
          param('EC50', c50, 0.3),
        );
        break;
    }
  }
  const covariates: FitCovariateSpec[] = [];
  if (ds.covariateNames.includes('BW')) {
    covariates.push(
      { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, initial: 0.75 },
      { kind: 'power', parameter: 'V', covariate: 'BW', reference: 70, initial: 1 },
    );
  }
  if (pdType && ds.covariateNames.includes('COMED')) {
    covariates.push({
      kind: 'categorical',
      parameter: 'baseline',
      covariate: 'COMED',
      level: 1,
      initial: -0.1,
    });
  }
  const concentration: ResidualErrorModel = { type: 'proportional', cv: 0.2 };
  const biomarker: ResidualErrorModel | undefined = pdType
    ? { type: 'combined', sd: 0.05 * baselineStartingValue(ds), cv: 0.1 }
    : undefined;
  return {
    name,
    pk: pkType,
    ...(pdType ? { pd: pdType } : {}),
    endpoints: pdType ? 'pkpd' : 'pk',
    parameters,
    covariates,
    residual: biomarker ? { concentration, biomarker } : { concentration },
  };
}
