import type { StateCreator } from 'zustand';
import { encodeNeuralModel, type NeuralModelRecord } from '../../core/neural/modelFile';
import type { EpochProgress, NeuralConfig } from '../../core/neural/types';
import {
  DEFAULT_NEURAL_CONFIG,
  ENCODERS,
  FRAMEWORKS,
  HEADS,
  QNN_READOUTS,
  hasExperts,
} from '../../core/neural/types';
import { trainInWorker, type BackendFailure } from '../../workers/trainClient';
import type { BackendPreference, TrainProgress } from '../../workers/trainProtocol';
import {
  deleteNeuralModel as deleteStoredModel,
  getNeuralModel,
  listNeuralModels,
  modelFileName,
  neuralModelMeta,
  readModelFile,
  saveNeuralModel,
  type NeuralModelMeta,
} from '../neuralStorage';
import { dropNeuralPredictor, isNeuralModelId, loadNeuralPredictor } from '../neuralModels';
import { DEMO_TRUTH_ID } from './savedFitsSlice';
import type { WorkbenchState } from '../store';

/** What the Neural models panel trains: the network's settings and the run's. */
export interface NeuralSettings {
  readonly config: NeuralConfig;
  /** Give the network each subject's pre-dose biomarker as an input. */
  readonly baseline: boolean;
  /** Share of subjects held out to score the model (never trained or early-stopped on). */
  readonly testFraction: number;
  readonly backend: BackendPreference;
}

export const DEFAULT_NEURAL_SETTINGS: NeuralSettings = {
  config: { ...DEFAULT_NEURAL_CONFIG, maxEpochs: 200 },
  baseline: false,
  testFraction: 0.2,
  backend: 'auto',
};

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'cpu'];

/** Allowed ranges of the numeric settings (inclusive), with integer ones marked. */
export const NEURAL_LIMITS: Readonly<
  Record<string, { min: number; max: number; integer?: boolean }>
> = {
  hidden: { min: 4, max: 512, integer: true },
  blocks: { min: 0, max: 8, integer: true },
  experts: { min: 1, max: 16, integer: true },
  topK: { min: 1, max: 16, integer: true },
  balanceWeight: { min: 0, max: 1 },
  dropout: { min: 0, max: 0.9 },
  learningRate: { min: 1e-5, max: 0.1 },
  weightDecay: { min: 0, max: 0.1 },
  batchSize: { min: 8, max: 4096, integer: true },
  maxEpochs: { min: 1, max: 5000, integer: true },
  patience: { min: 1, max: 1000, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  qubits: { min: 2, max: 12, integer: true },
  qlayers: { min: 1, max: 8, integer: true },
};

export const TEST_FRACTION_LIMITS = { min: 0.05, max: 0.5 };

/** What is wrong with the settings, one sentence each (empty when they can train). */
export function neuralSettingsProblems(s: NeuralSettings): string[] {
  const out: string[] = [];
  const c = s.config as unknown as Record<string, number>;
  for (const [key, lim] of Object.entries(NEURAL_LIMITS)) {
    const v = c[key];
    if (!Number.isFinite(v) || v < lim.min || v > lim.max) {
      out.push(`${key} must be between ${lim.min} and ${lim.max}.`);
    } else if (lim.integer && !Number.isInteger(v)) out.push(`${key} must be a whole number.`);
  }
  if (hasExperts(s.config.encoder) && s.config.topK > s.config.experts) {
    out.push('Experts per row (top-k) cannot exceed the number of experts.');
  }
  if (!(s.testFraction >= TEST_FRACTION_LIMITS.min && s.testFraction <= TEST_FRACTION_LIMITS.max)) {
    out.push(
      `The held-out share must be between ${TEST_FRACTION_LIMITS.min * 100}% and ${TEST_FRACTION_LIMITS.max * 100}%.`,
    );
  }
  return out;
}

/** Settings read back after a reload: anything unknown or out of range takes its default. */
export function restoreNeuralSettings(value: unknown): NeuralSettings {
  const d = DEFAULT_NEURAL_SETTINGS;
  if (typeof value !== 'object' || value === null) return d;
  const v = value as Partial<Record<keyof NeuralSettings, unknown>>;
  const raw = (typeof v.config === 'object' && v.config !== null ? v.config : {}) as Record<
    string,
    unknown
  >;
  const config: Record<string, unknown> = { ...d.config };
  if (FRAMEWORKS.includes(raw.framework as never)) config.framework = raw.framework;
  if (ENCODERS.includes(raw.encoder as never)) config.encoder = raw.encoder;
  if (HEADS.includes(raw.head as never)) config.head = raw.head;
  if (typeof raw.logTargets === 'boolean') config.logTargets = raw.logTargets;
  if (typeof raw.quantumSkip === 'boolean') config.quantumSkip = raw.quantumSkip;
  if (QNN_READOUTS.includes(raw.readout as never)) config.readout = raw.readout;
  for (const [key, lim] of Object.entries(NEURAL_LIMITS)) {
    const x = raw[key];
    if (
      typeof x === 'number' &&
      x >= lim.min &&
      x <= lim.max &&
      (!lim.integer || Number.isInteger(x))
    ) {
      config[key] = x;
    }
  }
  const testFraction =
    typeof v.testFraction === 'number' &&
    v.testFraction >= TEST_FRACTION_LIMITS.min &&
    v.testFraction <= TEST_FRACTION_LIMITS.max
      ? v.testFraction
      : d.testFraction;
  return {
    config: config as unknown as NeuralConfig,
    baseline: v.baseline === true,
    testFraction,
    backend: BACKENDS.includes(v.backend as BackendPreference)
      ? (v.backend as BackendPreference)
      : d.backend,
  };
}

export type NeuralStatus = 'idle' | 'running' | 'stopping' | 'done' | 'error' | 'cancelled';

export interface NeuralFileMessage {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** The live loss chart keeps at most this many epochs (every other one is dropped beyond). */
export const MAX_LOSS_HISTORY = 1000;

export interface NeuralSlice {
  neuralSettings: NeuralSettings;
  /** Saved neural models, newest first (no weights: those load on demand). */
  neuralModels: NeuralModelMeta[];
  neuralModelsStatus: 'loading' | 'ready' | 'unavailable';
  neuralStatus: NeuralStatus;
  neuralProgress: TrainProgress | null;
  neuralHistory: EpochProgress[];
  /** Date.now() when the running or last training started. */
  neuralStartedAt: number | null;
  /** What happened to the last run, in plain words. */
  neuralMessage: string | null;
  neuralStorageMessage: string | null;
  neuralFileMessage: NeuralFileMessage | null;
  /** The model shown in the Neural models and Curves panels. */
  currentNeuralId: string | null;
  /** Ids whose predictors are loaded (changes when one loads, so views re-render). */
  neuralLoaded: readonly string[];
  /** Why a model could not be loaded, by id. */
  neuralLoadErrors: Readonly<Record<string, string>>;
  /** Draw the network's Monte Carlo dropout band in the Regimen explorer. */
  neuralUncertainty: boolean;
  setNeuralUncertainty: (on: boolean) => void;
  setNeuralSettings: (patch: Partial<Omit<NeuralSettings, 'config'>>) => void;
  setNeuralConfig: (patch: Partial<NeuralConfig>) => void;
  resetNeuralSettings: () => void;
  trainNeural: () => Promise<void>;
  /** Ends training after the current epoch, keeping the best epoch so far. */
  stopNeural: () => void;
  /** Ends training now and keeps nothing. */
  cancelNeural: () => void;
  restoreNeuralModels: () => Promise<void>;
  selectNeuralModel: (id: string | null) => void;
  deleteNeuralModel: (id: string) => Promise<void>;
  exportNeuralModel: (id: string) => Promise<{ fileName: string; text: string } | null>;
  /**
   * A saved model with its weights (this session's from memory, others from storage), for the
   * panels that read a model's weights; undefined when there is none with that id.
   */
  readNeuralModel: (id: string) => Promise<NeuralModelRecord | undefined>;
  importNeuralFile: (name: string, text: string) => Promise<void>;
  /** Loads a model's predictor (weights from storage) if it is not loaded yet. */
  ensureNeuralPredictor: (id: string) => Promise<void>;
  dismissNeuralFileMessage: () => void;
}

/** The running job: outside the store, which holds only serialisable data. */
let running: { abort: AbortController; stop: () => void } | null = null;

/**
 * Records of this session's models, kept in memory too: loading one is instant, and where
 * IndexedDB is unavailable the models still work until the page closes.
 */
const sessionRecords = new Map<string, NeuralModelRecord>();

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** A default name: framework, encoder and head, and the time it was trained. */
function defaultLabel(config: NeuralConfig, dataLabel: string): string {
  const head = config.head === 'parameters' ? ' → PK/PD parameters' : '';
  const time = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${config.framework} ${config.encoder}${head} on ${dataLabel} (${time})`;
}

/**
 * Why the model was trained where it was, when a backend failed first: the reason the last
 * run gave (it names the failure and the backend that took over), else the failures' causes.
 */
export function failureNote(
  failures: readonly BackendFailure[],
  last: TrainProgress | null,
): string {
  if (failures.length === 0) return '';
  if (last?.backendReason) return last.backendReason;
  return `Training moved to another backend after ${failures.map((f) => f.cause).join('; ')}.`;
}

function appendEpoch(history: readonly EpochProgress[], p: EpochProgress): EpochProgress[] {
  const last = history[history.length - 1];
  const next = last && last.epoch === p.epoch ? [...history.slice(0, -1), p] : [...history, p];
  return next.length > MAX_LOSS_HISTORY
    ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1)
    : next;
}

export const createNeuralSlice: StateCreator<WorkbenchState, [], [], NeuralSlice> = (set, get) => {
  const readRecord = async (id: string): Promise<NeuralModelRecord | undefined> =>
    sessionRecords.get(id) ?? (await getNeuralModel(id));

  // Ids are unique and prefixed already: fresh from training, or made so by readModelFile.
  const remember = async (record: NeuralModelRecord) => {
    sessionRecords.set(record.id, record);
    set((s) => ({
      neuralModels: [neuralModelMeta(record), ...s.neuralModels.filter((m) => m.id !== record.id)],
      currentNeuralId: record.id,
    }));
    if (get().neuralModelsStatus === 'unavailable') return;
    try {
      await saveNeuralModel(record);
    } catch (err) {
      set({
        neuralStorageMessage: `This model could not be saved in the browser (${reason(err)}); it stays until the page closes. Export it to keep it.`,
      });
    }
  };

  return {
    neuralSettings: DEFAULT_NEURAL_SETTINGS,
    neuralModels: [],
    neuralModelsStatus: 'loading',
    neuralStatus: 'idle',
    neuralProgress: null,
    neuralHistory: [],
    neuralMessage: null,
    neuralStorageMessage: null,
    neuralFileMessage: null,
    currentNeuralId: null,
    neuralLoaded: [],
    neuralLoadErrors: {},
    neuralUncertainty: true,
    setNeuralUncertainty: (on) => set({ neuralUncertainty: on }),

    setNeuralSettings: (patch) =>
      set((s) => ({ neuralSettings: { ...s.neuralSettings, ...patch } })),
    setNeuralConfig: (patch) =>
      set((s) => ({
        neuralSettings: { ...s.neuralSettings, config: { ...s.neuralSettings.config, ...patch } },
      })),
    resetNeuralSettings: () => set({ neuralSettings: DEFAULT_NEURAL_SETTINGS }),

    neuralStartedAt: null,

    trainNeural: async () => {
      const { dataset, source, neuralSettings, neuralStatus } = get();
      if (neuralStatus === 'running' || neuralStatus === 'stopping') return;
      if (!dataset) {
        set({ neuralStatus: 'error', neuralMessage: 'Load a data set first (or the demo trial).' });
        return;
      }
      const problems = neuralSettingsProblems(neuralSettings);
      if (problems.length > 0) {
        set({ neuralStatus: 'error', neuralMessage: problems.join(' ') });
        return;
      }
      const dataLabel = source?.kind === 'demo' ? 'Demo trial' : dataset.name;
      const abort = new AbortController();
      const features = neuralSettings.baseline ? { baseline: true } : {};
      const job = trainInWorker(
        {
          dataset,
          dataLabel,
          label: defaultLabel(neuralSettings.config, dataLabel),
          config: neuralSettings.config,
          features,
          backend: neuralSettings.backend,
          testFraction: neuralSettings.testFraction,
          splitSeed: neuralSettings.config.seed,
        },
        {
          signal: abort.signal,
          onProgress: (p) => {
            if (running?.abort !== abort) return;
            set((s) => {
              // A second start: the backend failed (a lost GPU device, a worker that died)
              // and training began again on the next one, which says why. The chart follows
              // the new run; the failed run's epochs stay in the outcome's failures.
              if (p.phase === 'starting' && s.neuralProgress !== null) {
                return { neuralProgress: p, neuralHistory: [], neuralMessage: p.backendReason };
              }
              return {
                neuralProgress: p,
                neuralHistory:
                  p.phase === 'training' && p.epoch > 0
                    ? appendEpoch(s.neuralHistory, p)
                    : s.neuralHistory,
              };
            });
          },
        },
      );
      running = { abort, stop: job.stop };
      set({
        neuralStatus: 'running',
        neuralStartedAt: Date.now(),
        neuralMessage: null,
        neuralProgress: null,
        neuralHistory: [],
      });
      try {
        const outcome = await job.result;
        if (running?.abort !== abort) return;
        running = null;
        await remember(outcome.record);
        const t = outcome.record.training;
        const notes = [
          failureNote(outcome.failures, get().neuralProgress),
          outcome.stoppedEarly
            ? `Stopped at epoch ${t.epochs}; the best epoch (${t.bestEpoch}) was kept.`
            : '',
        ].filter(Boolean);
        set({ neuralStatus: 'done', neuralMessage: notes.length > 0 ? notes.join(' ') : null });
      } catch (err) {
        if (running?.abort !== abort) return;
        running = null;
        set(
          isAbort(err)
            ? {
                neuralStatus: 'cancelled',
                neuralMessage: 'Training was cancelled; nothing was kept.',
              }
            : { neuralStatus: 'error', neuralMessage: `Training did not finish: ${reason(err)}` },
        );
      }
    },

    stopNeural: () => {
      if (!running || get().neuralStatus !== 'running') return;
      running.stop();
      set({ neuralStatus: 'stopping' });
    },

    cancelNeural: () => {
      if (!running) return;
      const { abort } = running;
      running = null;
      abort.abort();
      set({
        neuralStatus: 'cancelled',
        neuralMessage: 'Training was cancelled; nothing was kept.',
      });
    },

    restoreNeuralModels: async () => {
      let stored: NeuralModelMeta[];
      try {
        stored = await listNeuralModels();
      } catch (err) {
        set({
          neuralModelsStatus: 'unavailable',
          neuralStorageMessage: `Neural models cannot be kept in this browser after a reload (${reason(err)}). Export a model to keep it.`,
        });
        return;
      }
      const fresh = get().neuralModels.filter((m) => !stored.some((s) => s.id === m.id));
      const neuralModels = [...fresh, ...stored];
      set({ neuralModels, neuralModelsStatus: 'ready' });
      const { currentNeuralId, regimenModelId } = get();
      if (currentNeuralId && !neuralModels.some((m) => m.id === currentNeuralId)) {
        set({ currentNeuralId: null });
      }
      if (neuralModels.some((m) => m.id === regimenModelId)) {
        await get().ensureNeuralPredictor(regimenModelId);
      } else if (isNeuralModelId(regimenModelId)) {
        set({ regimenModelId: DEMO_TRUTH_ID });
      }
    },

    selectNeuralModel: (id) => set({ currentNeuralId: id }),

    deleteNeuralModel: async (id) => {
      sessionRecords.delete(id);
      dropNeuralPredictor(id);
      set((s) => ({
        neuralModels: s.neuralModels.filter((m) => m.id !== id),
        neuralLoaded: s.neuralLoaded.filter((x) => x !== id),
        ...(s.currentNeuralId === id ? { currentNeuralId: null } : {}),
        ...(s.regimenModelId === id ? { regimenModelId: DEMO_TRUTH_ID } : {}),
      }));
      try {
        await deleteStoredModel(id);
      } catch {
        // Nothing was stored where storage is unavailable; the list above is what counts.
      }
    },

    readNeuralModel: readRecord,

    exportNeuralModel: async (id) => {
      let record: NeuralModelRecord | undefined;
      try {
        record = await readRecord(id);
      } catch (err) {
        set({
          neuralFileMessage: { kind: 'error', text: `Could not read the model (${reason(err)}).` },
        });
        return null;
      }
      if (!record) {
        set({
          neuralFileMessage: { kind: 'error', text: 'That model is no longer in this browser.' },
        });
        return null;
      }
      const fileName = modelFileName(record);
      set({
        neuralFileMessage: { kind: 'ok', text: `Exported "${record.label}" as ${fileName}.` },
      });
      return { fileName, text: encodeNeuralModel(record) };
    },

    importNeuralFile: async (name, text) => {
      let record: NeuralModelRecord;
      try {
        record = readModelFile(
          text,
          get().neuralModels.map((m) => m.id),
        );
      } catch (err) {
        set({
          neuralFileMessage: { kind: 'error', text: `${name} was not imported: ${reason(err)}` },
        });
        return;
      }
      await remember(record);
      set({ neuralFileMessage: { kind: 'ok', text: `Imported "${record.label}" from ${name}.` } });
    },

    ensureNeuralPredictor: async (id) => {
      if (get().neuralLoaded.includes(id)) return;
      try {
        const record = await readRecord(id);
        if (!record) throw new Error('it is no longer in this browser');
        await loadNeuralPredictor(record);
        set((s) => ({
          neuralLoaded: [...s.neuralLoaded, id],
          neuralLoadErrors: Object.fromEntries(
            Object.entries(s.neuralLoadErrors).filter(([key]) => key !== id),
          ),
        }));
      } catch (err) {
        set((s) => ({
          neuralLoadErrors: {
            ...s.neuralLoadErrors,
            [id]: `The model could not be loaded: ${reason(err)}`,
          },
        }));
      }
    },

    dismissNeuralFileMessage: () => set({ neuralFileMessage: null }),
  };
};
