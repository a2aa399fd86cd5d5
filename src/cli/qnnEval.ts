import fs from 'node:fs';
import type { Command } from 'commander';
import { adjointGradientBatch } from '../core/quantum/adjoint';
import { readoutLabel, MAX_QUBITS } from '../core/quantum/circuit';
import { circuitStats, fitsQuantumVolume } from '../core/quantum/circuitStats';
import {
  hybridLayerCircuit,
  isReadoutName,
  READOUTS,
  readoutWidth,
  type ReadoutName,
} from '../core/quantum/templates';
import type { CliOutput } from './fit';

/**
 * `qnn-eval --spec <spec.json>`: the seed's hybrid-layer circuit (DOMAIN.md) evaluated by the
 * reference simulator: readouts for a batch of inputs, and the adjoint gradients of
 * L = Σ_samples Σ_k loss_coefficients[k]·outputs[sample][k].
 *
 * Spec (JSON), the keys of a case of shared/golden/qnn-circuit.json (its other keys are
 * ignored):
 *   { "n_qubits": n, "n_layers": L,
 *     "inputs": [B][n] angles (radians), "weights": [L][n][3] (φ, θ, ω of each Rot),
 *     "loss_coefficients": [R] dL/d outputs, the same for every sample,
 *     "readout"?: "xyzzz" (R = 4n, default) | "xyz" (3n) | "z" (n),
 *     "batch"?: B (checked against inputs when present) }
 * Output: { "outputs": [B][R], "grad_inputs": [B][n], "grad_weights": [L][n][3] } —
 * grad_weights summed over the batch, as in the golden file.
 */

export interface QnnEvalSpec {
  readonly nQubits: number;
  readonly nLayers: number;
  readonly readout: ReadoutName;
  /** [batch][nQubits] */
  readonly inputs: readonly (readonly number[])[];
  /** [nLayers][nQubits][3] */
  readonly weights: readonly (readonly (readonly number[])[])[];
  /** [readoutWidth] */
  readonly lossCoefficients: readonly number[];
}

export interface QnnEvalResult {
  /** [batch][readoutWidth] */
  readonly outputs: number[][];
  /** [batch][nQubits] */
  readonly grad_inputs: number[][];
  /** [nLayers][nQubits][3], summed over the batch. */
  readonly grad_weights: number[][][];
}

export interface QnnEvalCliOptions {
  /** The spec file ('-' for stdin). */
  readonly spec?: string;
  readonly json?: boolean;
}

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** Batches larger than this are refused: each sample is a full state-vector simulation. */
const MAX_BATCH = 100_000;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function wholeNumber(doc: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = doc[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`spec.${key} must be a whole number in ${min}..${max}, got ${show(v)}`);
  }
  return v;
}

/**
 * Checks that `v` is an array of finite numbers nested to `dims` (null: any length ≥ 1) and
 * names the first element that is not, with the expected shape.
 */
function numberArray(
  v: unknown,
  dims: readonly (number | null)[],
  key: string,
  shape: string,
  path = '',
): void {
  const where = `spec.${key}${path}`;
  const expected = `spec.${key} must be ${shape} of finite numbers`;
  if (dims.length === 0) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${expected}; ${where} is ${show(v)}`);
    }
    return;
  }
  if (!Array.isArray(v)) throw new Error(`${expected}; ${where} is ${show(v)}, not an array`);
  const [len, ...rest] = dims;
  if (len === null ? v.length === 0 : v.length !== len) {
    throw new Error(
      `${expected}; ${where} has ${v.length} entries, expected ${len === null ? 'at least 1' : len}`,
    );
  }
  v.forEach((item, i) => numberArray(item, rest, key, shape, `${path}[${i}]`));
}

/** Validates a parsed spec document; errors name the key and the expected shape. */
export function parseQnnEvalSpec(doc: unknown): QnnEvalSpec {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(
      'The spec must be a JSON object with n_qubits, n_layers, inputs, weights and loss_coefficients',
    );
  }
  const d = doc as Record<string, unknown>;
  const nQubits = wholeNumber(d, 'n_qubits', 2, MAX_QUBITS);
  const nLayers = wholeNumber(d, 'n_layers', 1, 1000);
  const readout = d.readout ?? 'xyzzz';
  if (!isReadoutName(readout)) {
    throw new Error(`spec.readout must be one of ${READOUTS.join(', ')}, got ${show(readout)}`);
  }
  const width = readoutWidth(readout, nQubits);
  numberArray(d.inputs, [null, nQubits], 'inputs', `[batch][n_qubits] = [B][${nQubits}]`);
  const inputs = d.inputs as number[][];
  if (inputs.length > MAX_BATCH) {
    throw new Error(`spec.inputs has ${inputs.length} samples; at most ${MAX_BATCH} per call`);
  }
  if (d.batch !== undefined && d.batch !== inputs.length) {
    throw new Error(
      `spec.batch is ${show(d.batch)} but spec.inputs has ${inputs.length} samples (rows)`,
    );
  }
  numberArray(
    d.weights,
    [nLayers, nQubits, 3],
    'weights',
    `[n_layers][n_qubits][3] = [${nLayers}][${nQubits}][3]`,
  );
  numberArray(
    d.loss_coefficients,
    [width],
    'loss_coefficients',
    `[${width}] (one per output of readout ${readout} on ${nQubits} qubits)`,
  );
  return {
    nQubits,
    nLayers,
    readout,
    inputs,
    weights: d.weights as number[][][],
    lossCoefficients: d.loss_coefficients as number[],
  };
}

/** Outputs and adjoint gradients of a spec, shaped like the golden file. */
export function evaluateQnnSpec(spec: QnnEvalSpec): QnnEvalResult {
  const { nQubits: n, nLayers, readout } = spec;
  const def = hybridLayerCircuit({ nQubits: n, nLayers, readout });
  const batch = spec.inputs.length;
  const width = def.readouts.length;
  const upstream = new Float64Array(batch * width);
  for (let s = 0; s < batch; s++) upstream.set(spec.lossCoefficients, s * width);
  const g = adjointGradientBatch(def, batch, spec.inputs.flat(), spec.weights.flat(2), upstream);
  const rows = (values: Float64Array, width: number) =>
    Array.from({ length: values.length / width }, (_, r) =>
      Array.from(values.subarray(r * width, (r + 1) * width)),
    );
  return {
    outputs: rows(g.readouts, width),
    grad_inputs: rows(g.gradInputs, n),
    grad_weights: Array.from({ length: nLayers }, (_, l) =>
      rows(g.gradWeights.subarray(l * n * 3, (l + 1) * n * 3), 3),
    ),
  };
}

/** The quantum volume of the best hardware the seed poster lists. */
const POSTER_QUANTUM_VOLUME = 512;

const fmt = (v: number) => (v >= 0 ? ' ' : '') + v.toFixed(6);

/** The readable report. */
export function formatQnnEval(spec: QnnEvalSpec, result: QnnEvalResult): string {
  const def = hybridLayerCircuit({
    nQubits: spec.nQubits,
    nLayers: spec.nLayers,
    readout: spec.readout,
  });
  const stats = circuitStats(def);
  const fits = fitsQuantumVolume(stats, POSTER_QUANTUM_VOLUME);
  const labels = def.readouts.map(readoutLabel);
  const lines = [
    `Hybrid-layer circuit: ${spec.nQubits} qubits × ${spec.nLayers} layer${spec.nLayers === 1 ? '' : 's'}, readout ${spec.readout} (${labels.length} values), batch ${spec.inputs.length}`,
    `Depth ${stats.depth}, ${stats.totalGates} gates (${stats.twoQubitGates} CNOT), ${stats.trainableAngles} trainable angles; ${fits ? 'within' : 'beyond'} quantum volume ${POSTER_QUANTUM_VOLUME} (${Math.log2(POSTER_QUANTUM_VOLUME)} qubits × depth ${Math.log2(POSTER_QUANTUM_VOLUME)}).`,
    'Gradients of L = Σ_samples Σ_k loss_coefficients[k]·outputs[k] (adjoint method).',
  ];
  const w = Math.max(...labels.map((l) => l.length));
  result.outputs.forEach((row, s) => {
    lines.push('', `Sample ${s + 1}`);
    row.forEach((v, k) => lines.push(`  ${labels[k].padEnd(w)}  ${fmt(v)}`));
    lines.push(`  dL/dx: ${result.grad_inputs[s].map(fmt).join(' ')}`);
  });
  lines.push('', 'dL/dw, summed over the batch (φ, θ, ω of each Rot):');
  result.grad_weights.forEach((layer, l) =>
    layer.forEach((g, i) => lines.push(`  layer ${l} wire ${i}: ${g.map(fmt).join(' ')}`)),
  );
  return lines.join('\n');
}

/** Reads and validates a spec file ('-' for stdin); throws with a message that names it. */
export function readQnnEvalSpec(file: string): QnnEvalSpec {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read spec ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`Spec ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseQnnEvalSpec(doc);
}

/** `qnn-eval --spec <file>`: returns the exit code. */
export function runQnnEval(opts: QnnEvalCliOptions, output: CliOutput = consoleOutput): number {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  try {
    if (!opts.spec) throw new Error('--spec <file> is required (a JSON spec; - for stdin).');
    const spec = readQnnEvalSpec(opts.spec);
    const result = evaluateQnnSpec(spec);
    output.out(opts.json ? JSON.stringify(result) : formatQnnEval(spec, result));
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

export function registerQnnEval(program: Command): void {
  program
    .command('qnn-eval')
    .description(
      "Evaluate the hybrid layer's quantum circuit: readouts and adjoint gradients for a JSON spec",
    )
    .option(
      '--spec <file>',
      "spec JSON (n_qubits, n_layers, inputs, weights, loss_coefficients, readout?; '-' for stdin)",
    )
    .option('--json', 'print {"outputs", "grad_inputs", "grad_weights"} as JSON')
    .action((o: QnnEvalCliOptions) => {
      process.exitCode = runQnnEval(o);
    });
}
