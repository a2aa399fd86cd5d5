import { COLUMN_ROLES, type ColumnMapping, type ColumnRole } from './types';

/**
 * Header names (compared case-insensitively) that fill each role, preferred first. Kept small
 * on purpose: a wrong guess is worse than asking the user to map a column. TIME has no aliases
 * because TAD/TSLD (time after dose) are not time since the first record. Anything else can be
 * mapped explicitly (`--columns DV=CONC` or the mapping option).
 */
export const COLUMN_ALIASES: Readonly<Record<ColumnRole, readonly string[]>> = {
  ID: ['ID', 'SUBJ', 'SUBJECT', 'SUBJID', 'USUBJID'],
  TIME: ['TIME'],
  DV: ['DV'],
  AMT: ['AMT', 'DOSEAMT'],
  EVID: ['EVID'],
  MDV: ['MDV'],
  CMT: ['CMT'],
  DVID: ['DVID'],
  II: ['II'],
  ADDL: ['ADDL'],
  SS: ['SS'],
  RATE: ['RATE'],
  BW: ['BW', 'WT', 'WEIGHT', 'BODYWEIGHT'],
  COMED: ['COMED', 'CONMED'],
  DOSE: ['DOSE'],
};

/** The canonical form a header name is compared in. */
export function normaliseColumnName(name: string): string {
  return name.trim().toUpperCase();
}

export function isColumnRole(name: string): name is ColumnRole {
  return (COLUMN_ROLES as readonly string[]).includes(name);
}

/** True when the name is one of the aliases of some role (such a column is never a covariate). */
export function isRoleAlias(name: string): boolean {
  const n = normaliseColumnName(name);
  return COLUMN_ROLES.some((role) => COLUMN_ALIASES[role].includes(n));
}

/**
 * Guesses the role of each column from its name. Each column fills at most one role; for each
 * role the first alias in COLUMN_ALIASES order wins. `taken` columns (already mapped by the
 * user) are skipped.
 */
export function inferMapping(
  columns: readonly string[],
  taken: ReadonlySet<string> = new Set(),
): Partial<ColumnMapping> {
  const byName = new Map<string, string>();
  for (const c of columns) {
    const n = normaliseColumnName(c);
    if (!taken.has(c) && !byName.has(n)) byName.set(n, c);
  }
  const mapping: Partial<ColumnMapping> = {};
  const used = new Set<string>();
  for (const role of COLUMN_ROLES) {
    for (const alias of COLUMN_ALIASES[role]) {
      const column = byName.get(alias);
      if (column !== undefined && !used.has(column)) {
        mapping[role] = column;
        used.add(column);
        break;
      }
    }
  }
  return mapping;
}

/**
 * Parses "DV=Y,BW=WT0" (roles case-insensitive, column names kept as written). Throws an Error
 * that quotes the offending part; an empty string gives an empty mapping.
 */
export function parseColumnsOption(text: string): Partial<ColumnMapping> {
  const mapping: Partial<ColumnMapping> = {};
  for (const rawPart of text.split(',')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new Error(`Column mapping "${part}" is not ROLE=NAME (for example DV=CONC).`);
    }
    const role = normaliseColumnName(part.slice(0, eq));
    const column = part.slice(eq + 1).trim();
    if (!isColumnRole(role)) {
      throw new Error(
        `Column mapping "${part}": unknown role "${part.slice(0, eq).trim()}"; roles are ${COLUMN_ROLES.join(', ')}.`,
      );
    }
    if (column === '') {
      throw new Error(`Column mapping "${part}": no column name after "=".`);
    }
    if (mapping[role] !== undefined) {
      throw new Error(`Column mapping "${part}": role ${role} is mapped twice.`);
    }
    mapping[role] = column;
  }
  return mapping;
}

/** Formats a mapping back into the ROLE=NAME,... form parseColumnsOption reads. */
export function formatColumnsOption(mapping: Partial<ColumnMapping>): string {
  return COLUMN_ROLES.filter((r) => mapping[r] !== undefined)
    .map((r) => `${r}=${mapping[r]}`)
    .join(',');
}
