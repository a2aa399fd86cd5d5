import type { DoseEvent } from '../pkpd/types';
import type { Hours, Mg } from '../units';

/**
 * The NONMEM data items the importer understands. Any other numeric column becomes a
 * covariate. BW, COMED and DOSE are covariates with a known meaning: DOSE is the subject's
 * dose group in mg (0 = placebo), never an amount.
 */
export const COLUMN_ROLES = [
  'ID',
  'TIME',
  'DV',
  'AMT',
  'EVID',
  'MDV',
  'CMT',
  'DVID',
  'II',
  'ADDL',
  'SS',
  'RATE',
  'BW',
  'COMED',
  'DOSE',
] as const;

export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** Role -> the column's name as written in the file. */
export type ColumnMapping = Record<ColumnRole, string>;

/** One measured value. `dv` is in the endpoint's unit: mg/L for DVID 1, ng/mL for DVID 2. */
export interface Observation {
  readonly time: Hours;
  readonly dvid: number;
  readonly dv: number;
  readonly cmt: number;
}

/** A value of a time-varying covariate from `time` onwards (last observation carried forward). */
export interface CovariatePoint {
  readonly time: Hours;
  readonly value: number;
}

export interface SubjectData {
  /** The ID as written; numeric IDs are normalised ("01" and "1.0" are subject "1"). */
  readonly id: string;
  /**
   * One value per covariate: the subject's constant value or, for a time-varying covariate, its
   * first (baseline) value. A covariate the subject never has a value for is absent.
   */
  readonly covariates: Record<string, number>;
  /** Full series of the covariates that change within some subject; change points only. */
  readonly timeVaryingCovariates: Record<string, CovariatePoint[]>;
  /** Dose (EVID 1, 4) and reset (EVID 3) records in file order, ADDL not expanded. */
  readonly doses: DoseEvent[];
  /** Records with EVID 0 and MDV 0, in file order (non-decreasing time). */
  readonly observations: Observation[];
  /** Dose group in mg: the DOSE column when present, else the largest AMT, 0 when none. */
  readonly doseGroup?: Mg;
}

/** One data row after parsing, kept for the records table and for tracing values to lines. */
export interface NormalisedRecord {
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
  readonly id: string;
  readonly time: Hours;
  /** Read from EVID or derived from MDV/AMT when the file has no EVID column. */
  readonly evid: 0 | 1 | 2 | 3 | 4;
  readonly mdv: 0 | 1;
  /** null when missing (`.` or empty). */
  readonly dv: number | null;
  readonly amt: Mg;
  readonly cmt: number;
  readonly dvid: number;
  /** The cells as read (trimmed), aligned with `Dataset.columns`. */
  readonly cells: readonly string[];
}

export interface Dataset {
  readonly name: string;
  /** Column names as written in the file's header. */
  readonly columns: string[];
  /** The roles that were found, each with the column that fills it. */
  readonly mapping: Partial<ColumnMapping>;
  /** Upper-case covariate names (BW, COMED, DOSE and any other numeric column), file order. */
  readonly covariateNames: string[];
  /** The subset of `covariateNames` that changes within at least one subject. */
  readonly timeVaryingCovariateNames: string[];
  /** Subjects in order of first appearance. */
  readonly subjects: SubjectData[];
  /** Every data row, blank lines excluded. */
  readonly records: NormalisedRecord[];
}

/** Something wrong (or worth saying) about a file, pointing at the line, column and value. */
export interface DataProblem {
  /** 1-based line in the file; the header is line 1. */
  readonly line: number;
  readonly column?: string;
  readonly value?: string;
  readonly message: string;
}

/** Raw first rows of a file that failed to load: row r is line r + 2. */
export interface DataPreview {
  readonly columns: string[];
  readonly rows: string[][];
}

export type ImportResult =
  | { readonly ok: true; readonly dataset: Dataset; readonly warnings: DataProblem[] }
  | { readonly ok: false; readonly problems: DataProblem[]; readonly preview?: DataPreview };

export interface ImportOptions {
  /** Shown in the UI and the CLI; defaults to "data". */
  readonly name?: string;
  /** Role -> column overrides; roles not named are inferred from the header. */
  readonly mapping?: Partial<ColumnMapping>;
  /** Larger files are refused (UTF-8 bytes). Default DEFAULT_MAX_BYTES. */
  readonly maxBytes?: number;
}

/** 50 MiB: a NONMEM file of about a million records; larger ones are not a browser's job. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
