import type { TrainingDomain } from '../models/types';
import type { FeatureOptions, Scaler } from './features';
import type { NamedWeight } from './netLayers';
import type { EpochProgress, NeuralConfig } from './types';
import { DEFAULT_NEURAL_CONFIG, ENCODERS, FRAMEWORKS, HEADS, QNN_READOUTS } from './types';

/**
 * A trained neural PK/PD model as the workbench keeps it (IndexedDB) and as a file (export and
 * import): everything needed to predict again — configuration, feature options, the scaler
 * fitted on the training subjects, the weights — and what it was trained on and how well it
 * did on subjects it never saw. Plain data: JSON with the weights as base64 float32.
 */
export const NEURAL_MODEL_FORMAT = 'pkpd-workbench/neural-model';
export const NEURAL_MODEL_VERSION = 1;

/** How a model was trained and how it scored on its held-out (test) subjects. */
export interface NeuralTrainingSummary {
  /** The data set it was trained on (its label or file name). */
  readonly dataLabel: string;
  /** tfjs backend the training ran on ('webgpu', 'webgl', 'wasm', 'cpu'). */
  readonly backend: string;
  readonly seconds: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly history: readonly EpochProgress[];
  /** Subject IDs of each set (disjoint). */
  readonly trainSubjects: readonly string[];
  readonly validationSubjects: readonly string[];
  readonly testSubjects: readonly string[];
  /** RMSE on the test subjects' rows: mg/L and ng/mL (null when there were none). */
  readonly pkRmse: number | null;
  readonly pdRmse: number | null;
  readonly pkRows: number;
  readonly pdRows: number;
  /** Trainable parameters and how many are quantum gate angles (absent in older files). */
  readonly parameters?: number;
  readonly quantumParameters?: number;
}

export interface NeuralModelRecord {
  readonly id: string;
  readonly label: string;
  /** ISO date-time. */
  readonly createdAt: string;
  readonly config: NeuralConfig;
  readonly features: FeatureOptions;
  readonly scaler: Scaler;
  readonly inputWidth: number;
  readonly weights: readonly NamedWeight[];
  readonly domain: TrainingDomain;
  readonly training: NeuralTrainingSummary;
}

// ---- encoding ------------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the bytes (no btoa: the same code runs in Node, workers and the page). */
function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function fromBase64(text: string, what: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error(`${what}: not valid base64`);
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let n = 0;
    const chunk = Math.min(4, clean.length - i);
    for (let j = 0; j < 4; j++) {
      const v = j < chunk ? B64_INDEX.get(clean[i + j]) : 0;
      if (v === undefined) throw new Error(`${what}: not valid base64`);
      n = (n << 6) | v;
    }
    const bytes = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    for (let j = 0; j < chunk - 1; j++) out[o++] = bytes[j];
  }
  return out;
}

function floatsToBase64(values: Float32Array): string {
  const le = new Uint8Array(values.length * 4);
  const view = new DataView(le.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return toBase64(le);
}

function floatsFromBase64(text: string, what: string): Float32Array {
  const bytes = fromBase64(text, what);
  if (bytes.length % 4 !== 0) throw new Error(`${what}: not a whole number of float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The model as a JSON file's text. */
export function encodeNeuralModel(record: NeuralModelRecord): string {
  return JSON.stringify({
    format: NEURAL_MODEL_FORMAT,
    version: NEURAL_MODEL_VERSION,
    ...record,
    weights: record.weights.map((w) => ({
      name: w.name,
      shape: w.shape,
      values: floatsToBase64(w.values),
    })),
  });
}

// ---- decoding (a file from anywhere: check everything) ----------------------------------

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field<T>(o: Json, key: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[key];
  if (!check(v)) throw new Error(`Model file: "${key}" should be ${what}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const isNullableNumber = (v: unknown): v is number | null => v === null || isNumber(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNumber);

function decodeConfig(v: unknown): NeuralConfig {
  if (!isObject(v)) throw new Error('Model file: "config" should be an object');
  const config = { ...DEFAULT_NEURAL_CONFIG, ...v } as NeuralConfig;
  if (!FRAMEWORKS.includes(config.framework))
    throw new Error(`Model file: unknown framework "${String(config.framework)}"`);
  if (!ENCODERS.includes(config.encoder))
    throw new Error(`Model file: unknown encoder "${String(config.encoder)}"`);
  if (!HEADS.includes(config.head))
    throw new Error(`Model file: unknown head "${String(config.head)}"`);
  if (!QNN_READOUTS.includes(config.readout))
    throw new Error(`Model file: unknown circuit readout "${String(config.readout)}"`);
  for (const [k, val] of Object.entries(config)) {
    if (k === 'framework' || k === 'encoder' || k === 'head' || k === 'readout') continue;
    if (k === 'logTargets' || k === 'quantumSkip') {
      if (typeof val !== 'boolean') throw new Error(`Model file: "${k}" should be true/false`);
    } else if (!isNumber(val)) throw new Error(`Model file: config "${k}" should be a number`);
  }
  return config;
}

function decodeStandardisation(v: unknown, what: string): { mean: number; sd: number } {
  if (!isObject(v) || !isNumber(v.mean) || !isNumber(v.sd) || !(v.sd > 0))
    throw new Error(`Model file: scaler ${what} should have a finite mean and a positive sd`);
  return { mean: v.mean, sd: v.sd };
}

function decodeScaler(v: unknown): Scaler {
  if (!isObject(v)) throw new Error('Model file: "scaler" should be an object');
  const featureNames = field(v, 'featureNames', isStringArray, 'a list of names');
  const features = v.features;
  if (!Array.isArray(features) || features.length !== featureNames.length)
    throw new Error('Model file: the scaler should have one mean/sd per feature');
  return {
    featureNames,
    features: features.map((f, i) => decodeStandardisation(f, featureNames[i])),
    logTargets: v.logTargets === true,
    pk: decodeStandardisation(v.pk, 'pk'),
    pd: decodeStandardisation(v.pd, 'pd'),
  };
}

function decodeDomain(v: unknown): TrainingDomain {
  if (!isObject(v)) throw new Error('Model file: "domain" should be an object');
  const doseRange = field(v, 'doseRange', isNumberArray, 'two numbers');
  const bwRange = field(v, 'bwRange', isNumberArray, 'two numbers');
  if (doseRange.length !== 2 || bwRange.length !== 2)
    throw new Error('Model file: the domain ranges should be two numbers each');
  return {
    doseRange: [doseRange[0], doseRange[1]],
    intervals: field(v, 'intervals', isNumberArray, 'a list of numbers'),
    bwRange: [bwRange[0], bwRange[1]],
    comedValues: field(v, 'comedValues', isNumberArray, 'a list of numbers'),
    ...(isNumber(v.maxFollowUp) && v.maxFollowUp > 0 ? { maxFollowUp: v.maxFollowUp } : {}),
  };
}

function decodeHistory(v: unknown): EpochProgress[] {
  if (!Array.isArray(v)) throw new Error('Model file: training "history" should be a list');
  return v.map((e) => {
    if (!isObject(e) || !isCount(e.epoch) || !isCount(e.bestEpoch))
      throw new Error('Model file: a training history entry is malformed');
    // A loss can be NaN only if training diverged; JSON writes that as null.
    const num = (x: unknown) => (isNumber(x) ? x : NaN);
    return {
      epoch: e.epoch,
      trainLoss: num(e.trainLoss),
      valLoss: num(e.valLoss),
      bestEpoch: e.bestEpoch,
    };
  });
}

function decodeTraining(v: unknown): NeuralTrainingSummary {
  if (!isObject(v)) throw new Error('Model file: "training" should be an object');
  return {
    dataLabel: field(v, 'dataLabel', isString, 'text'),
    backend: field(v, 'backend', isString, 'text'),
    seconds: field(v, 'seconds', isNumber, 'a number'),
    epochs: field(v, 'epochs', isCount, 'a count'),
    bestEpoch: field(v, 'bestEpoch', isCount, 'a count'),
    history: decodeHistory(v.history),
    trainSubjects: field(v, 'trainSubjects', isStringArray, 'a list of IDs'),
    validationSubjects: field(v, 'validationSubjects', isStringArray, 'a list of IDs'),
    testSubjects: field(v, 'testSubjects', isStringArray, 'a list of IDs'),
    pkRmse: field(v, 'pkRmse', isNullableNumber, 'a number or null'),
    pdRmse: field(v, 'pdRmse', isNullableNumber, 'a number or null'),
    pkRows: field(v, 'pkRows', isCount, 'a count'),
    pdRows: field(v, 'pdRows', isCount, 'a count'),
    ...(isCount(v.parameters) ? { parameters: v.parameters } : {}),
    ...(isCount(v.quantumParameters) ? { quantumParameters: v.quantumParameters } : {}),
  };
}

function decodeWeights(v: unknown): NamedWeight[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new Error('Model file: "weights" should be a non-empty list');
  return v.map((w, i) => {
    if (!isObject(w) || !isString(w.name) || !isNumberArray(w.shape) || !isString(w.values))
      throw new Error(`Model file: weight ${i + 1} should have a name, a shape and values`);
    const values = floatsFromBase64(w.values, `weight "${w.name}"`);
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new Error(`Model file: weight "${w.name}" has ${values.length} values, not ${size}`);
    return { name: w.name, shape: w.shape, values };
  });
}

/**
 * A model read from a file's text. Throws an Error whose message says what is wrong (not
 * JSON, another kind of file, a newer version, a missing or malformed field).
 */
export function decodeNeuralModel(text: string): NeuralModelRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('Model file: not valid JSON');
  }
  if (!isObject(raw) || raw.format !== NEURAL_MODEL_FORMAT)
    throw new Error('Not a neural model file of the PK/PD workbench');
  if (raw.version !== NEURAL_MODEL_VERSION)
    throw new Error(
      `Model file version ${String(raw.version)} is not supported (this workbench reads version ${NEURAL_MODEL_VERSION})`,
    );
  const scaler = decodeScaler(raw.scaler);
  const inputWidth = field(raw, 'inputWidth', isCount, 'a count');
  if (inputWidth !== scaler.featureNames.length)
    throw new Error('Model file: the input width does not match the scaler');
  const features = isObject(raw.features) ? raw.features : {};
  return {
    id: field(raw, 'id', isString, 'text'),
    label: field(raw, 'label', isString, 'text'),
    createdAt: field(raw, 'createdAt', isString, 'a date'),
    config: decodeConfig(raw.config),
    features: {
      ...(features.baseline === true ? { baseline: true } : {}),
      ...(features.excludePreDose === true ? { excludePreDose: true } : {}),
    },
    scaler,
    inputWidth,
    weights: decodeWeights(raw.weights),
    domain: decodeDomain(raw.domain),
    training: decodeTraining(raw.training),
  };
}
