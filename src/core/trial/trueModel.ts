import type { PopulationModel } from '../pkpd/population';

/**
 * The population model the embedded demo trial is simulated from ("the truth"): what a fit to
 * the demo data should recover, and what the app can compare fitted models against.
 *
 * Values were chosen so that simulated data resemble the public challenge data set
 * (EstData.csv). That file's steady-state exposure at 10 mg (mean ≈ 7.5 mg/L over 480–504 h)
 * gives CL ≈ 0.045 L/h, and its wash-out a terminal half-life of ≈ 140–170 h; an indirect-
 * response fit to its biomarker gives kout ≈ 0.015 /h, Imax ≈ 0.88, IC50 ≈ 1.2 mg/L, a
 * COMED-free baseline ≈ 10 ng/mL (10.6 ± 2.6 ng/mL observed pre-dose) and a COMED/no-COMED
 * baseline ratio ≈ 0.75–0.78. The source data have a fast distribution phase after each dose
 * (first-dose peaks ≈ 2.5× higher than here) that a one-compartment model cannot show; the
 * steady state, which the dose questions are about, matches.
 *
 * - PK: one compartment with first-order absorption (oral1). At 70 kg, CL 0.045 L/h and V 9.5 L
 *   give k = 0.0047 /h, a terminal half-life of 146 h; absorption half-life 0.7 h (ka 1 /h).
 *   Linear, so exposure is dose-proportional. Allometric body weight: CL ∝ (BW/70)^0.75,
 *   V ∝ (BW/70)^1.
 * - PD: indirect response, inhibition of production (type I), biomarker in ng/mL:
 *   dR/dt = kout·R0·(1 − Imax·C/(IC50 + C)) − kout·R, R(0) = R0. Response half-life
 *   ln 2 / 0.015 = 46 h. At 10 mg daily (mean C ≈ 9.3 mg/L at steady state, 70 kg) the
 *   biomarker falls to ≈ 19% of baseline.
 * - COMED lowers the baseline R0 by 25% (factor 1 − 0.25).
 * - Between-subject variability: log-normal, ω (SD of η) 0.25 on CL, 0.15 on V, 0.3 on ka,
 *   0.2 on R0, 0.2 on kout, 0.3 on IC50; Imax is fixed for everyone.
 * - Residual error: concentration proportional 15%; biomarker combined 0.2 ng/mL + 8%.
 */
export const TRUE_MODEL: PopulationModel = {
  pk: 'oral1',
  pd: 'indirect-inhibit-production',
  theta: {
    CL: 0.045,
    V: 9.5,
    ka: 1,
    baseline: 10,
    kout: 0.015,
    Imax: 0.9,
    IC50: 1,
    hill: 1,
  },
  covariateEffects: [
    { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, exponent: 0.75 },
    { kind: 'power', parameter: 'V', covariate: 'BW', reference: 70, exponent: 1 },
    { kind: 'categorical', parameter: 'baseline', covariate: 'COMED', level: 1, theta: -0.25 },
  ],
  randomEffects: [
    { parameter: 'CL', omega: 0.25 },
    { parameter: 'V', omega: 0.15 },
    { parameter: 'ka', omega: 0.3 },
    { parameter: 'baseline', omega: 0.2 },
    { parameter: 'kout', omega: 0.2 },
    { parameter: 'IC50', omega: 0.3 },
  ],
  residualError: {
    concentration: { type: 'proportional', cv: 0.15 },
    biomarker: { type: 'combined', sd: 0.2, cv: 0.08 },
  },
  description:
    'True model of the embedded demo trial: one-compartment oral PK (CL 0.045 L/h and V 9.5 L at 70 kg, ka 1 /h; allometric body weight), indirect-response inhibition of biomarker production (baseline 10 ng/mL, 25% lower with COMED; kout 0.015 /h; Imax 0.9; IC50 1 mg/L), log-normal between-subject variability and proportional/combined residual error.',
};
