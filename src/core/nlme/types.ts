import type { ParameterDraws } from './uncertainty';
import type { ParameterName, PopulationModel, ResidualErrorModel } from '../pkpd/population';
import type { DoseEvent, PdParameters, PkParameters } from '../pkpd/types';

/**
 * What to fit: the structural model, which parameters are estimated or fixed, covariates,
 * between-subject variability and residual error. Plain data, serialisable (it travels to the
 * fit worker and is saved with the fit).
 */
export interface FitModelSpec {
  /** Short name, e.g. 'pk1-oral-idr' (see FIT_MODELS). */
  readonly name: string;
  readonly pk: PkParameters['type'];
  /** PD model; absent for a PK-only fit. */
  readonly pd?: PdParameters['type'];
  /**
   * Which observations are fitted:
   * - 'pk': concentrations only (PD, if any, is ignored);
   * - 'pd': biomarker only, with each subject's PK fixed at `individualPk` (sequential PK→PD);
   * - 'pkpd': both endpoints together (simultaneous).
   */
  readonly endpoints: 'pk' | 'pd' | 'pkpd';
  /** Structural parameters, in the units of PkParameters / PdParameters. */
  readonly parameters: readonly FitParameterSpec[];
  readonly covariates: readonly FitCovariateSpec[];
  /** Estimate the correlation of the random effects of these two parameters (e.g. CL and V). */
  readonly correlation?: readonly [ParameterName, ParameterName];
  /** Residual error per fitted endpoint; the numbers are initial estimates. */
  readonly residual: {
    readonly concentration?: ResidualErrorModel;
    readonly biomarker?: ResidualErrorModel;
  };
  /**
   * For endpoints 'pd': each subject's individual PK parameters (by subject id), e.g. the
   * empirical Bayes estimates of a PK fit.
   */
  readonly individualPk?: Readonly<Record<string, PkParameters>>;
}

export interface FitParameterSpec {
  readonly name: ParameterName;
  /** Initial estimate (or the fixed value). Must be > 0 ('log') or in (0, 1) ('logit'). */
  readonly initial: number;
  /** Held at `initial`, not estimated. */
  readonly fixed?: boolean;
  /** Between-subject variability: initial ω (SD of η); absent = no random effect. */
  readonly omega?: number;
  /** Held at the given ω. */
  readonly omegaFixed?: boolean;
  /** Scale of estimation and of η: 'log' (default) or 'logit' (fractions such as Imax). */
  readonly transform?: 'log' | 'logit' | 'identity';
}

export type FitCovariateSpec =
  | {
      /** P · (x / reference)^exponent */
      readonly kind: 'power';
      readonly parameter: ParameterName;
      readonly covariate: string;
      readonly reference: number;
      readonly initial: number;
      readonly fixed?: boolean;
    }
  | {
      /** P · (1 + θ) when x = level (default 1) */
      readonly kind: 'categorical';
      readonly parameter: ParameterName;
      readonly covariate: string;
      readonly level?: number;
      readonly initial: number;
      readonly fixed?: boolean;
    };

export interface FitOptions {
  /** Maximum outer iterations (default 200). */
  readonly maxIterations?: number;
  /** Stop when the objective improves less than this in two successive iterations (default 0.01). */
  readonly ofvTolerance?: number;
  /** Compute standard errors (default true). */
  readonly covariance?: boolean;
  /**
   * PK+PD fits start from a PK-only fit and a PD fit given individual PK (default true);
   * false fits both endpoints together from the spec's initial values.
   */
  readonly staged?: boolean;
  /**
   * How each subject's conditional mode is found: 'secant' (default), Fisher scoring with a
   * structured secant correction near the mode; 'scoring', plain Fisher scoring (the method of
   * earlier versions, kept as the benchmark's baseline).
   */
  readonly innerSolver?: 'secant' | 'scoring';
}

/** One line of progress, streamed while the fit runs. */
export interface FitProgress {
  readonly iteration: number;
  readonly ofv: number;
  readonly phase: 'estimation' | 'covariance' | 'done';
  /**
   * Stage of a staged PK+PD fit: 'pk' (PK alone), 'pd' (PD given individual PK), 'joint'
   * (both together); absent for a single-stage fit.
   */
  readonly stage?: 'pk' | 'pd' | 'joint';
  /** Elapsed wall time in ms. */
  readonly elapsedMs: number;
}

export type CovarianceStatus = 'ok' | 'partial' | 'failed' | 'not-run';

/** One estimated (or fixed) quantity. */
export interface EstimateRow {
  /** Name as shown: 'CL', 'BW on CL', 'ω CL', 'σ prop biomarker', 'corr CL–V'. */
  readonly name: string;
  readonly kind: 'theta' | 'covariate' | 'omega' | 'correlation' | 'sigma';
  readonly estimate: number;
  /** Unit of the estimate ('L/h', '', '%'...). */
  readonly unit: string;
  readonly fixed: boolean;
  /** Standard error on the estimate's own scale (delta method), when available. */
  readonly se?: number;
  /** Relative standard error in %, when available. */
  readonly rse?: number;
  /**
   * Set when the data cannot identify this parameter (the objective is flat along it, see
   * FitResult.notEstimable): no standard error, the estimate is arbitrary within a wide range.
   */
  readonly notEstimable?: boolean;
  /** For ω: η shrinkage in % (1 − SD(η̂)/ω). */
  readonly shrinkage?: number;
  /** One plain-language line (e.g. 'half-life 146 h for a 70 kg patient'). */
  readonly meaning?: string;
}

/** Per-observation diagnostics, aligned with FitSubjectResult.observations. */
export interface ObservationDiagnostics {
  readonly time: number;
  /** 1 concentration (mg/L), 2 biomarker (ng/mL). */
  readonly dvid: number;
  readonly dv: number;
  /** Population prediction (η = 0). */
  readonly pred: number;
  /** Individual prediction (η = EBE). */
  readonly ipred: number;
  /** Conditional weighted residual (FOCE linearisation at the EBE). */
  readonly cwres: number;
  /** Individual weighted residual (dv − ipred) / sd(ipred). */
  readonly iwres: number;
}

export interface FitSubjectResult {
  readonly id: string;
  readonly covariates: Readonly<Record<string, number>>;
  /** Empirical Bayes estimates of η, aligned with FitResult.etaNames. */
  readonly eta: readonly number[];
  /** Individual structural parameters by name. */
  readonly parameters: Readonly<Record<string, number>>;
  /** This subject's contribution to the objective function. */
  readonly ofv: number;
  readonly observations: readonly ObservationDiagnostics[];
  /**
   * The subject's dose (and reset) records as fitted, in file order, ADDL not expanded, so
   * per-subject plots and exports can show them. Absent in fits saved before it was kept.
   */
  readonly doses?: readonly DoseEvent[];
}

export interface FitResult {
  /** 'FOCE-I' */
  readonly method: string;
  readonly spec: FitModelSpec;
  readonly converged: boolean;
  /** Why the fit stopped, in plain language. */
  readonly message: string;
  /**
   * Set when the user stopped the fit before it finished (FitCallbacks.shouldFinish): the
   * estimates are the last accepted iterate, `converged` is false unless the estimation had
   * finished (cancelled in the covariance step), and there are no standard errors. `iteration`
   * counts every stage; `stage` is the stage of a staged PK+PD fit it stopped in.
   */
  readonly cancelled?: {
    readonly iteration: number;
    readonly phase: 'estimation' | 'covariance';
    readonly stage?: 'pk' | 'pd' | 'joint';
  };
  /** Notes on the data as fitted (e.g. records left out and why). */
  readonly notes?: readonly string[];
  readonly iterations: number;
  /** −2 log-likelihood without the constant n·log(2π) (NONMEM's convention). */
  readonly ofv: number;
  /** −2 log-likelihood including n·log(2π), for AIC/BIC. */
  readonly minus2LL: number;
  readonly aic: number;
  readonly bic: number;
  readonly nObservations: number;
  readonly nSubjects: number;
  readonly nParameters: number;
  readonly estimates: readonly EstimateRow[];
  /** Parameters the data cannot identify (or that hit a bound), each with why. */
  readonly identifiability: readonly { readonly parameter: string; readonly reason: string }[];
  readonly covarianceStep: {
    /** Standard errors for every estimated parameter. */
    readonly ok: boolean;
    readonly message: string;
    readonly method: string;
    /**
     * 'ok'; 'partial': some parameters are not estimable (FitResult.notEstimable), the others
     * have standard errors conditional on those held at their estimates; 'failed'; 'not-run'
     * (not requested, or cancelled). Absent in fits saved before it was kept (see
     * covarianceStatusOf).
     */
    readonly status?: CovarianceStatus;
  };
  /**
   * Estimated parameters the data cannot identify (names as in `estimates`): the Hessian of the
   * objective is not positive definite and the objective is flat along them, so they have no
   * standard error. Empty when the covariance step succeeded; absent in older fits.
   */
  readonly notEstimable?: readonly string[];
  /** Names of the random effects, in the order of each subject's eta. */
  readonly etaNames: readonly string[];
  /** Full Ω (row-major, etaNames order). */
  readonly omegaMatrix: readonly number[];
  readonly subjects: readonly FitSubjectResult[];
  /**
   * The fitted model as a population model (typical values, covariate effects, ω as SDs,
   * residual error), usable by every simulator and the common predictor interface.
   */
  readonly model: PopulationModel;
  /**
   * Draws of the estimates from their sampling distribution (when the covariance step
   * succeeded), for uncertainty bands on predictions and dose answers.
   */
  readonly parameterDraws?: ParameterDraws;
  /** Name of the data set, when, and how long it took. */
  readonly dataName: string;
  readonly finishedAt: string;
  readonly elapsedMs: number;
}
