import fs from 'node:fs';
import type { Command } from 'commander';
import { simulatePkPd } from '../core/pkpd/pd';
import { regimenToEvents } from '../core/pkpd/regimen';
import type { DoseEvent, PdParameters, PkParameters, PkPdParameters } from '../core/pkpd/types';
import {
  PD_PARAMETER_NAMES,
  PK_PARAMETER_NAMES,
  validatePdParameters,
  validatePkParameters,
} from '../core/pkpd/validate';

/**
 * `simulate --spec <spec.json>`: one subject's concentration and biomarker under a regimen.
 *
 * Spec (JSON):
 *   { "model": { "pk": PkParameters, "pd"?: PdParameters },
 *     "regimen": { "amt", "ii"?, "addl"?, "time"?, "cmt"?, "rate"?, "ss"? }   one dose record
 *              | [ dose record, ... ]                                       NONMEM-style records
 *              | { "dose", "interval", "doses", "loadingDose"? }              a clinician's regimen
 *     "times": [h, ...] | { "from", "to", "step" } }
 * Dose records default to time 0 and cmt 1 (depot) for oral models, 2 (central) for IV ones.
 */

export interface SimulateSpec {
  readonly model: PkPdParameters;
  readonly events: readonly DoseEvent[];
  readonly times: readonly number[];
}

/** Output times allowed in one spec: enough for hourly output over 100 years. */
const MAX_TIMES = 1_000_000;

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(
  obj: Record<string, unknown>,
  key: string,
  where: string,
  rule: { min?: number; integer?: boolean; default?: number; allowed?: readonly number[] } = {},
): number {
  const v = obj[key];
  if (v === undefined && rule.default !== undefined) return rule.default;
  const field = `${where}.${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`${field} must be a finite number, got ${show(v)}`);
  if (rule.allowed && !rule.allowed.includes(v))
    throw new Error(`${field} must be one of ${rule.allowed.join(', ')}, got ${v}`);
  if (rule.integer && !Number.isInteger(v))
    throw new Error(`${field} must be an integer, got ${v}`);
  if (rule.min !== undefined && v < rule.min)
    throw new Error(`${field} must be ≥ ${rule.min}, got ${v}`);
  return v;
}

function rejectUnknown(
  obj: Record<string, unknown>,
  known: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key))
      throw new Error(`${where} has an unknown field "${key}" (known: ${known.join(', ')})`);
  }
}

function parseModel(v: unknown): PkPdParameters {
  if (!isObject(v))
    throw new Error(`spec.model must be an object with "pk" and optionally "pd", got ${show(v)}`);
  rejectUnknown(v, ['pk', 'pd'], 'spec.model');
  if (!isObject(v.pk)) throw new Error(`spec.model.pk must be an object, got ${show(v.pk)}`);
  rejectUnknown(v.pk, ['type', ...PK_PARAMETER_NAMES], 'spec.model.pk');
  const pk = v.pk as unknown as PkParameters;
  try {
    validatePkParameters(pk);
  } catch (err) {
    throw new Error(`spec.model.pk: ${(err as Error).message}`);
  }
  if (v.pd === undefined) return { pk };
  if (!isObject(v.pd)) throw new Error(`spec.model.pd must be an object, got ${show(v.pd)}`);
  rejectUnknown(v.pd, ['type', ...PD_PARAMETER_NAMES], 'spec.model.pd');
  const pd = v.pd as unknown as PdParameters;
  try {
    validatePdParameters(pd);
  } catch (err) {
    throw new Error(`spec.model.pd: ${(err as Error).message}`);
  }
  return { pk, pd };
}

const RECORD_FIELDS = ['time', 'amt', 'cmt', 'rate', 'ii', 'addl', 'ss', 'evid'] as const;

function parseRecord(v: unknown, where: string, defaultCmt: number): DoseEvent {
  if (!isObject(v)) throw new Error(`${where} must be a dose record object, got ${show(v)}`);
  rejectUnknown(v, RECORD_FIELDS, where);
  const evid = num(v, 'evid', where, { default: 1, allowed: [1, 3, 4] }) as 1 | 3 | 4;
  const record: DoseEvent = {
    time: num(v, 'time', where, { default: 0 }),
    amt: num(v, 'amt', where, { min: 0, default: evid === 3 ? 0 : undefined }),
    cmt: num(v, 'cmt', where, { default: defaultCmt, allowed: [1, 2] }),
    evid,
    rate: num(v, 'rate', where, { default: 0 }),
    ii: num(v, 'ii', where, { min: 0, default: 0 }),
    addl: num(v, 'addl', where, { min: 0, integer: true, default: 0 }),
    ss: num(v, 'ss', where, { default: 0, allowed: [0, 1, 2] }) as 0 | 1 | 2,
  };
  if ((record.rate as number) < 0 && record.rate !== -1 && record.rate !== -2) {
    throw new Error(
      `${where}.rate must be ≥ 0, -1 (modelled rate) or -2 (modelled duration), got ${record.rate}`,
    );
  }
  if ((record.addl as number) > 0 && !((record.ii as number) > 0)) {
    throw new Error(`${where}.ii must be > 0 when addl is given, got ${record.ii}`);
  }
  if (record.ss !== 0 && !((record.ii as number) > 0) && !((record.rate as number) > 0)) {
    throw new Error(
      `${where}.ii must be > 0 for a steady-state dose (ss ${record.ss}), got ${record.ii}`,
    );
  }
  return record;
}

function parseRegimen(v: unknown, pk: PkParameters): DoseEvent[] {
  const defaultCmt = pk.type === 'iv1' || pk.type === 'iv2' ? 2 : 1;
  if (Array.isArray(v)) return v.map((r, i) => parseRecord(r, `spec.regimen[${i}]`, defaultCmt));
  if (isObject(v) && 'dose' in v) {
    rejectUnknown(v, ['dose', 'interval', 'doses', 'loadingDose', 'cmt'], 'spec.regimen');
    return regimenToEvents({
      dose: num(v, 'dose', 'spec.regimen', { min: 0 }),
      interval: num(v, 'interval', 'spec.regimen', { min: 0 }),
      doses: num(v, 'doses', 'spec.regimen', { min: 0, integer: true }),
      loadingDose: num(v, 'loadingDose', 'spec.regimen', { min: 0, default: 0 }),
      cmt: num(v, 'cmt', 'spec.regimen', { default: defaultCmt, allowed: [1, 2] }),
    });
  }
  if (isObject(v)) return [parseRecord(v, 'spec.regimen', defaultCmt)];
  throw new Error(
    `spec.regimen must be a dose record, an array of dose records or {dose, interval, doses}, got ${show(v)}`,
  );
}

function parseTimes(v: unknown): number[] {
  if (isObject(v)) {
    rejectUnknown(v, ['from', 'to', 'step'], 'spec.times');
    const from = num(v, 'from', 'spec.times', { default: 0 });
    const to = num(v, 'to', 'spec.times', { min: from });
    const step = num(v, 'step', 'spec.times');
    if (!(step > 0)) throw new Error(`spec.times.step must be > 0, got ${step}`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > MAX_TIMES)
      throw new Error(`spec.times gives ${n} times; at most ${MAX_TIMES} are allowed`);
    return Array.from({ length: n }, (_, i) => from + i * step);
  }
  if (!Array.isArray(v) || v.length === 0) {
    throw new Error(
      `spec.times must be a non-empty array of hours or {from, to, step}, got ${show(v)}`,
    );
  }
  if (v.length > MAX_TIMES)
    throw new Error(`spec.times has ${v.length} entries; at most ${MAX_TIMES} are allowed`);
  return v.map((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new Error(`spec.times[${i}] must be a finite number, got ${show(t)}`);
    return t;
  });
}

/** Checks a parsed JSON spec; errors name the offending field, e.g. `spec.regimen[1].amt`. */
export function parseSimulateSpec(json: unknown): SimulateSpec {
  if (!isObject(json)) throw new Error(`spec must be a JSON object, got ${show(json)}`);
  rejectUnknown(json, ['model', 'regimen', 'times'], 'spec');
  const model = parseModel(json.model);
  if (json.regimen === undefined) throw new Error('spec.regimen is required');
  return { model, events: parseRegimen(json.regimen, model.pk), times: parseTimes(json.times) };
}

export interface SimulateOutput {
  readonly times: number[];
  readonly concentration: number[];
  readonly biomarker?: number[];
}

/** Runs a parsed spec through the core engine. */
export function runSimulateSpec(spec: SimulateSpec): SimulateOutput {
  const r = simulatePkPd(spec.model, spec.events, spec.times);
  return {
    times: Array.from(r.times),
    concentration: Array.from(r.concentration),
    ...(r.biomarker ? { biomarker: Array.from(r.biomarker) } : {}),
  };
}

function table(result: SimulateOutput): string {
  const cols = [
    'time (h)',
    'concentration (mg/L)',
    ...(result.biomarker ? ['biomarker (ng/mL)'] : []),
  ];
  const rows = result.times.map((t, i) => [
    String(t),
    result.concentration[i].toPrecision(6),
    ...(result.biomarker ? [result.biomarker[i].toPrecision(6)] : []),
  ]);
  const widths = cols.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join('  ');
  return [line(cols), ...rows.map(line)].join('\n');
}

export interface SimulateOptions {
  readonly spec: string;
  readonly json?: boolean;
}

/** Reads the spec file ('-' for stdin), simulates and prints. Throws with a message on bad input. */
export function runSimulate(
  opts: SimulateOptions,
  out: (text: string) => void = console.log,
): void {
  let text: string;
  try {
    text = fs.readFileSync(opts.spec === '-' ? 0 : opts.spec, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read spec ${opts.spec}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Spec ${opts.spec} is not valid JSON: ${(err as Error).message}`);
  }
  const result = runSimulateSpec(parseSimulateSpec(json));
  out(opts.json ? JSON.stringify(result) : table(result));
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Simulate concentration and biomarker for one subject from a JSON spec (model, regimen, times)',
    )
    .requiredOption('--spec <file>', "spec JSON file ('-' for stdin)")
    .option('--json', 'print {"times", "concentration", "biomarker"} as JSON')
    .action((opts: SimulateOptions) => runSimulate(opts));
}
