import { hasHybridLayers } from '../neural/types';
import { encoderLabel, inputsLabel } from './profiles';
import type { CompareCell, ComparePlan, CompareRow, MeanSd } from './types';

/**
 * From cells to the comparison's table and its reading: each candidate's mean ± sample SD over
 * its folds and seeds, the best per endpoint, and a few plain sentences on which differences
 * are larger than the fold-to-fold spread.
 */

export type CompareEndpoint = 'pk' | 'pd';

const UNIT: Readonly<Record<CompareEndpoint, string>> = { pk: 'mg/L', pd: 'ng/mL' };
const NAME: Readonly<Record<CompareEndpoint, string>> = { pk: 'PK', pd: 'PD' };

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample SD (n − 1); 0 for fewer than two values. */
function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Mean and sample SD of the values that are not null; null when there are none. */
export function meanSd(values: readonly (number | null)[]): MeanSd | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return { mean: mean(v), sd: sampleSd(v), n: v.length };
}

/** One row per candidate of the plan, in the plan's order, from the cells done so far. */
export function summariseCells(plan: ComparePlan, cells: readonly CompareCell[]): CompareRow[] {
  return plan.candidates.map((c) => {
    const own = cells.filter((x) => x.candidateKey === c.key);
    const planned = plan.tasks.filter((t) => t.candidateKey === c.key).length;
    const outcomeSubjects = own.reduce((a, x) => a + x.outcomeSubjects, 0);
    const outcomeCorrect = own.reduce((a, x) => a + x.outcomeCorrect, 0);
    const hybrid =
      c.kind === 'neural' && c.config !== undefined && hasHybridLayers(c.config.encoder);
    return {
      key: c.key,
      label: c.label,
      kind: c.kind,
      framework: c.framework,
      encoder: c.encoder,
      head: c.head,
      inputs: c.inputs,
      group: c.group,
      qubits: hybrid && c.config ? c.config.qubits : null,
      qlayers: hybrid && c.config ? c.config.qlayers : null,
      // The same in every cell of a candidate (the network's size does not depend on the fold).
      parameters: own.length > 0 ? Math.max(...own.map((x) => x.parameters)) : 0,
      quantumParameters: own.length > 0 ? Math.max(...own.map((x) => x.quantumParameters)) : 0,
      pkRmse: meanSd(own.map((x) => x.pkRmse)),
      pdRmse: meanSd(own.map((x) => x.pdRmse)),
      trainSeconds: own.length > 0 ? mean(own.map((x) => x.trainSeconds)) : 0,
      predictMsPer1000: own.length > 0 ? mean(own.map((x) => x.predictMsPer1000)) : 0,
      outcomeAccuracy: outcomeSubjects > 0 ? outcomeCorrect / outcomeSubjects : null,
      cellsDone: own.length,
      cellsPlanned: planned,
    };
  });
}

function rmseOf(row: CompareRow, endpoint: CompareEndpoint): MeanSd | null {
  return endpoint === 'pk' ? row.pkRmse : row.pdRmse;
}

/** The row with the lowest mean RMSE of the endpoint among `rows`; null when none has one. */
export function bestRow(rows: readonly CompareRow[], endpoint: CompareEndpoint): CompareRow | null {
  let best: CompareRow | null = null;
  for (const r of rows) {
    const v = rmseOf(r, endpoint);
    if (!v) continue;
    const b = best ? rmseOf(best, endpoint) : null;
    // A tie (equal but for rounding, e.g. the NLME model's PK with and without the pre-dose
    // biomarker, which informs no PK parameter) keeps the earlier row, the one with less input.
    if (!b || v.mean < b.mean * (1 - TIE)) best = r;
  }
  return best;
}

/** Candidates a sentence of the reading names one by one, at most. */
const LIST_AT_MOST = 6;

/** Relative difference of two mean RMSEs below which they count as equal. */
const TIE = 1e-9;

/** How two candidates' RMSEs differ, and whether the difference exceeds the spread. */
export interface RowDifference {
  /** Mean of a − b, in the endpoint's unit (paired: over shared (seed, fold) cells). */
  readonly diff: number;
  /** The spread it is judged against: SD of the paired differences, or the larger row SD. */
  readonly spread: number;
  /** Pairs (paired) or the smaller cell count (unpaired). */
  readonly n: number;
  readonly paired: boolean;
  /** |diff| > spread, judged only with at least two folds. */
  readonly exceedsSpread: boolean;
}

/**
 * a − b on an endpoint. With cells, paired over the (seed, fold) pairs both candidates have:
 * the mean of the per-fold differences against their sample SD (a fold that is hard for every
 * model then does not hide a consistent difference). Without cells, the difference of the means
 * against the larger of the two fold-to-fold SDs. Null when either has no value.
 */
export function rowDifference(
  a: CompareRow,
  b: CompareRow,
  endpoint: CompareEndpoint,
  cells: readonly CompareCell[] = [],
): RowDifference | null {
  const va = rmseOf(a, endpoint);
  const vb = rmseOf(b, endpoint);
  if (!va || !vb) return null;
  const pick = (c: CompareCell) => (endpoint === 'pk' ? c.pkRmse : c.pdRmse);
  const ofB = new Map<string, number>();
  for (const c of cells) {
    const v = pick(c);
    if (c.candidateKey === b.key && v !== null) ofB.set(`${c.seed}/${c.fold}`, v);
  }
  const diffs: number[] = [];
  for (const c of cells) {
    const v = pick(c);
    const w = ofB.get(`${c.seed}/${c.fold}`);
    if (c.candidateKey === a.key && v !== null && w !== undefined) diffs.push(v - w);
  }
  if (diffs.length > 0) {
    const spread = sampleSd(diffs);
    return {
      diff: mean(diffs),
      spread,
      n: diffs.length,
      paired: true,
      exceedsSpread: diffs.length >= 2 && Math.abs(mean(diffs)) > spread,
    };
  }
  const spread = Math.max(va.sd, vb.sd);
  const n = Math.min(va.n, vb.n);
  const diff = va.mean - vb.mean;
  return { diff, spread, n, paired: false, exceedsSpread: n >= 2 && Math.abs(diff) > spread };
}

const f2 = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${f2(Math.abs(v))}`;

function valueText(row: CompareRow, endpoint: CompareEndpoint): string {
  const v = rmseOf(row, endpoint);
  return v ? `${f2(v.mean)} ± ${f2(v.sd)} ${UNIT[endpoint]}` : '—';
}

function parametersText(row: CompareRow): string {
  const p = row.parameters.toLocaleString('en-US');
  return row.quantumParameters > 0
    ? `${p} parameters, ${row.quantumParameters} quantum`
    : `${p} parameters`;
}

/** "(X reads the pre-dose biomarker; Y does not)" when two rows' inputs differ, else ''. */
function inputsNote(a: CompareRow, b: CompareRow): string {
  if (a.inputs === b.inputs) return '';
  return ` (inputs differ: ${a.label} reads ${inputsLabel(a.inputs)}, ${b.label} ${inputsLabel(b.inputs)})`;
}

/** One sentence comparing a with b on an endpoint; `named`: with the rows' labels. */
function differenceSentence(
  a: CompareRow,
  b: CompareRow,
  endpoint: CompareEndpoint,
  cells: readonly CompareCell[],
  named = true,
): string | null {
  const d = rowDifference(a, b, endpoint, cells);
  if (!d) return null;
  const how = d.paired
    ? `paired over ${d.n} fold${d.n === 1 ? '' : 's'}: ${signed(d.diff)} ± ${f2(d.spread)} ${UNIT[endpoint]}`
    : `${signed(d.diff)} ${UNIT[endpoint]} against a fold-to-fold SD of ${f2(d.spread)}`;
  const verdict =
    d.n < 2
      ? 'too few folds to judge'
      : d.exceedsSpread
        ? `differs by more than its fold-to-fold spread (${d.diff < 0 ? 'lower' : 'higher'})`
        : 'within the fold-to-fold spread';
  const values = named
    ? `${a.label} ${valueText(a, endpoint)} vs ${b.label} ${valueText(b, endpoint)}`
    : `${valueText(a, endpoint)} vs ${valueText(b, endpoint)}`;
  return `${NAME[endpoint]}: ${values} (${how}): ${verdict}.`;
}

/** The hybrid rows' classical counterparts, matched on everything else. */
function sameSetting(a: CompareRow, b: CompareRow): boolean {
  return (
    a.framework === b.framework &&
    a.head === b.head &&
    a.inputs === b.inputs &&
    a.group === b.group &&
    (a.qubits === null || b.qubits === null || (a.qubits === b.qubits && a.qlayers === b.qlayers))
  );
}

/**
 * A short plain-language reading of the table: the best candidate per endpoint and what is
 * within its fold-to-fold spread, QNN-ResMLP+MoE against its parameter-matched control and
 * against the classical ResMLP+MoE, the mechanistic model against the best network, and the
 * best of each kind of inputs. Pass the cells for paired comparisons over the same folds
 * (recommended); without them, differences of means are judged against the larger SD.
 * Heat-map rows are summarised in one sentence of their own.
 */
export function readingOf(
  rows: readonly CompareRow[],
  cells: readonly CompareCell[] = [],
): string[] {
  const out: string[] = [];
  const main = rows.filter((r) => r.group === 'main');
  const done = rows.reduce((a, r) => a + r.cellsDone, 0);
  const planned = rows.reduce((a, r) => a + r.cellsPlanned, 0);
  if (done === 0) return ['No results yet.'];
  if (done < planned) {
    out.push(`Provisional: ${done} of ${planned} cells done.`);
  }
  const mixedInputs = new Set(main.map((r) => r.inputs)).size > 1;
  for (const endpoint of ['pd', 'pk'] as const) {
    const best = bestRow(main, endpoint);
    if (!best) continue;
    const inputs = mixedInputs ? `, reading ${inputsLabel(best.inputs)}` : '';
    out.push(
      `Lowest ${NAME[endpoint]} RMSE on held-out subjects: ${best.label}, ${valueText(best, endpoint)} (mean ± SD over folds and seeds${inputs}).`,
    );
    const within: string[] = [];
    const worse: string[] = [];
    for (const r of main) {
      if (r === best) continue;
      const d = rowDifference(r, best, endpoint, cells);
      if (!d || d.n < 2) continue;
      (d.exceedsSpread ? worse : within).push(r.label);
    }
    if (within.length > 0) {
      // A long list of the clearly worse says less than their number (the table has them all).
      const worseText =
        worse.length === 0
          ? ''
          : worse.length > LIST_AT_MOST
            ? ` The other ${worse.length} are worse by more than the spread.`
            : ` Worse by more than the spread: ${worse.join('; ')}.`;
      out.push(
        `Within its fold-to-fold spread on ${NAME[endpoint]}: ${within.join('; ')}.${worseText}`,
      );
    } else if (worse.length > 0) {
      out.push(`Every other candidate is worse on ${NAME[endpoint]} by more than the spread.`);
    }
  }
  const withOutcome = main.filter((r) => r.outcomeAccuracy !== null);
  if (withOutcome.length > 0) {
    const top = Math.max(...withOutcome.map((r) => r.outcomeAccuracy as number));
    const pct = (v: number) => `${Math.round(100 * v)}%`;
    const leaders = withOutcome.filter((r) => r.outcomeAccuracy === top).map((r) => r.label);
    const low = Math.min(...withOutcome.map((r) => r.outcomeAccuracy as number));
    out.push(
      `Threshold outcome over the last dosing interval predicted right for ${pct(top)} of the held-out subjects by ${leaders.join('; ')} (lowest: ${pct(low)}).`,
    );
  }
  // The seed's headline claims: the quantum encoder against its control and the classical one.
  for (const q of main.filter((r) => r.encoder === 'qresmlp_moe')) {
    const pairs: [string, (r: CompareRow) => boolean][] = [
      ['its parameter-matched classical control', (r) => r.encoder === 'qresmlp_moe_control'],
      ['the classical ResMLP+MoE', (r) => r.encoder === 'resmlp_moe'],
    ];
    for (const [what, isIt] of pairs) {
      const other = main.find((r) => isIt(r) && sameSetting(q, r));
      if (!other) continue;
      const sentences = (['pd', 'pk'] as const)
        .map((e) => differenceSentence(q, other, e, cells, false))
        .filter((s): s is string => s !== null);
      if (sentences.length === 0) continue;
      out.push(
        `${q.label} (${parametersText(q)}) against ${what}, ${other.label} (${parametersText(other)}): ${sentences.join(' ')}`,
      );
    }
  }
  // The mechanistic model against the best network with the same inputs.
  for (const m of main.filter((r) => r.kind === 'mechanistic')) {
    const nets = main.filter((r) => r.kind === 'neural' && r.inputs === m.inputs);
    for (const endpoint of ['pd', 'pk'] as const) {
      const net = bestRow(nets, endpoint);
      if (!net) continue;
      const s = differenceSentence(m, net, endpoint, cells);
      if (s) out.push(`Mechanistic against the best network with the same inputs — ${s}`);
    }
  }
  // Like with like: the best of each kind of inputs, and how much the extra input is worth.
  if (mixedInputs) {
    const without = bestRow(
      main.filter((r) => r.inputs === 'covariates-doses'),
      'pd',
    );
    const withBaseline = bestRow(
      main.filter((r) => r.inputs === 'covariates-doses-baseline'),
      'pd',
    );
    if (without && withBaseline) {
      const s = differenceSentence(withBaseline, without, 'pd', cells);
      out.push(
        `Inputs: the best PD with ${inputsLabel('covariates-doses-baseline')} is ${withBaseline.label}, the best with ${inputsLabel('covariates-doses')} is ${without.label}${inputsNote(withBaseline, without)}.` +
          (s ? ` ${s}` : '') +
          ' Every candidate is scored on the same rows (the pre-dose observations left out).',
      );
    }
  }
  const heat = rows.filter((r) => r.group === 'heatmap' && r.pdRmse !== null);
  if (heat.length > 0) {
    const best = bestRow(heat, 'pd') as CompareRow;
    const worst = heat.reduce((w, r) =>
      (r.pdRmse as MeanSd).mean > (w.pdRmse as MeanSd).mean ? r : w,
    );
    const d = rowDifference(worst, best, 'pd', cells);
    out.push(
      `Heat map (${encoderLabel('qresmlp_moe')}, ${heat.length} circuits): PD RMSE from ${valueText(best, 'pd')} (${best.qubits} qubits × ${best.qlayers} circuit layer${best.qlayers === 1 ? '' : 's'}) to ${valueText(worst, 'pd')} (${worst.qubits} × ${worst.qlayers}); ` +
        (d && d.n >= 2
          ? d.exceedsSpread
            ? 'the best and worst circuits differ by more than the fold-to-fold spread.'
            : 'even the best and worst circuits are within the fold-to-fold spread of each other.'
          : 'too few folds to judge.'),
    );
  }
  return out;
}
