import type { StateCreator } from 'zustand';
import type { AttainmentQuestion, AttainmentResult } from '../../core/dosing/attainment';
import type { PopulationBands } from '../../core/dosing/populationBands';
import type { VirtualPopulationSpec } from '../../core/dosing/virtualPopulation';
import type { Threshold } from '../../core/pkpd/metrics';
import type { PopulationModel } from '../../core/pkpd/population';
import type { Regimen } from '../../core/pkpd/regimen';
import { TRUE_MODEL } from '../../core/trial/trueModel';
import {
  attainmentInWorker,
  bandsInWorker,
  isPopulationJobCancelled,
  type PopulationProgress,
} from '../../workers/regimenPopulationClient';
import type { WorkbenchState } from '../store';
import { DEMO_TRUTH_ID } from './savedFitsSlice';
import { isNeuralModelId } from '../neuralModels';
import type { SharedRead } from '../shareLink';

/** Interval presets offered in the explorer; 'custom' lets the user type hours. */
export type IntervalChoice = '12' | '24' | '168' | 'custom';

/** One typical patient (BW, COMED), or a virtual population with percentile bands. */
export type RegimenMode = 'patient' | 'population';

export interface Patient {
  /** Body weight, kg. */
  BW: number;
  /** Concomitant medication, 0/1. */
  COMED: 0 | 1;
}

/** The virtual population of the Regimen panel's population mode. */
export interface PopulationSettings {
  /** Virtual subjects behind the percentile bands. */
  readonly size: number;
  readonly seed: number;
  /** Body weight drawn uniformly from [bwMin, bwMax], kg. */
  readonly bwMin: number;
  readonly bwMax: number;
  /** Fraction of the population on the concomitant medication, [0, 1]. */
  readonly comedFraction: number;
}

export type PopulationJobStatus = 'idle' | 'running' | 'done' | 'error';

export interface RegimenSlice {
  regimen: Regimen;
  intervalChoice: IntervalChoice;
  patient: Patient;
  threshold: Threshold;
  logScale: boolean;
  regimenMode: RegimenMode;
  population: PopulationSettings;
  /** The latest percentile bands and the inputs they were computed for (a key). */
  populationBands: { readonly key: string; readonly result: PopulationBands } | null;
  bandsStatus: PopulationJobStatus;
  bandsProgress: PopulationProgress | null;
  bandsMessage: string | null;
  /** Attainment at every dose of the dose slider's grid; the dose is looked up, not simulated. */
  populationAttainment: { readonly key: string; readonly result: AttainmentResult } | null;
  attainmentStatus: PopulationJobStatus;
  attainmentMessage: string | null;
  setRegimen: (patch: Partial<Regimen>) => void;
  setIntervalChoice: (choice: IntervalChoice) => void;
  setPatient: (patch: Partial<Patient>) => void;
  setThreshold: (patch: Partial<Threshold>) => void;
  setLogScale: (on: boolean) => void;
  setRegimenMode: (mode: RegimenMode) => void;
  setPopulation: (patch: Partial<PopulationSettings>) => void;
  /**
   * Brings the population results up to date with the inputs (debounced, superseded jobs
   * cancelled); in patient mode it stops pending work. The Regimen panel calls it when the
   * regimen, model, target or population changes.
   */
  syncPopulation: () => void;
  /** What opening a shared regimen link did (or why it could not), until dismissed. */
  sharedNotice: { readonly kind: 'info' | 'error'; readonly text: string } | null;
  /**
   * Opens a shared regimen link read by shareLink.readShareFragment: the Regimen panel takes
   * its settings (all or nothing), and its model when this browser has it.
   */
  openSharedRegimen: (read: SharedRead) => void;
  dismissSharedNotice: () => void;
}

/** The challenge's own question as the default: 21 once-daily doses, biomarker below 3.3 ng/mL. */
export const DEFAULT_REGIMEN: Regimen = {
  dose: 3,
  interval: 24,
  doses: 21,
  loadingDose: 0,
  cmt: 1,
};

/** The dose slider; population attainment is computed for every dose on this grid at once. */
export const DOSE_SLIDER = { min: 0, max: 100, step: 0.5 } as const;

/** A population like the demo trial's: BW 50–100 kg, half on COMED. */
export const DEFAULT_POPULATION: PopulationSettings = {
  size: 500,
  seed: 20261124,
  bwMin: 50,
  bwMax: 100,
  comedFraction: 0.5,
};

/** Subjects behind the bands: fewer gives ragged 5th/95th percentiles, more is slow to redo. */
export const POPULATION_SIZE_RANGE = [50, 5000] as const;
/** Body weights the population may span, kg (the patient slider's range). */
export const POPULATION_BW_RANGE = [30, 160] as const;
/** Subjects behind the fraction attaining: its Monte Carlo error is under ±1%. */
export const ATTAINMENT_SUBJECTS = 10_000;
/**
 * Intervals of the band time grid over the whole regimen: the patient curve's grid
 * (predictRegimen plots 1500), so a peak the bands miss between two points the curve misses too
 * and the patient never pokes out of a band for want of resolution.
 */
export const BAND_POINTS = 1500;
/** Inputs must rest this long (ms) before the population is simulated again. */
export const POPULATION_DEBOUNCE_MS = 250;

const clamp = (v: number, lo: number, hi: number, fallback: number) =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;

/** Population settings made valid (sizes whole, ranges ordered, fractions in [0, 1]). */
export function sanitizePopulation(p: Partial<PopulationSettings>): PopulationSettings {
  const d = DEFAULT_POPULATION;
  const [sLo, sHi] = POPULATION_SIZE_RANGE;
  const [bLo, bHi] = POPULATION_BW_RANGE;
  const a = clamp(Number(p.bwMin), bLo, bHi, d.bwMin);
  const b = clamp(Number(p.bwMax), bLo, bHi, d.bwMax);
  return {
    size: Math.round(clamp(Number(p.size), sLo, sHi, d.size)),
    seed: Math.round(clamp(Number(p.seed), 0, 2 ** 31 - 1, d.seed)),
    bwMin: Math.min(a, b),
    bwMax: Math.max(a, b),
    comedFraction: clamp(Number(p.comedFraction), 0, 1, d.comedFraction),
  };
}

/** The virtual population spec for these settings (`size` subjects). */
export function populationSpec(p: PopulationSettings, size: number): VirtualPopulationSpec {
  return {
    size,
    seed: p.seed,
    covariates: {
      BW: { type: 'uniform', min: p.bwMin, max: p.bwMax },
      COMED: { type: 'bernoulli', p: p.comedFraction },
    },
  };
}

/** The population model behind the Regimen panel: the chosen saved fit, else the demo truth. */
export function regimenPopulationModel(s: Pick<WorkbenchState, 'regimenModelId' | 'savedFits'>): {
  id: string;
  model: PopulationModel;
} {
  const meta = s.savedFits.find((f) => f.id === s.regimenModelId);
  return meta ? { id: meta.id, model: meta.model } : { id: DEMO_TRUTH_ID, model: TRUE_MODEL };
}

/** The attainment question of the current inputs: every dose of the slider's grid. */
export function attainmentQuestion(regimen: Regimen, threshold: Threshold): AttainmentQuestion {
  return {
    interval: regimen.interval,
    step: DOSE_SLIDER.step,
    maxDose: DOSE_SLIDER.max,
    // Not used by the look-up; the core's summary needs one.
    target: 0.9,
    threshold,
    cmt: regimen.cmt ?? 1,
  };
}

/** What the bands depend on, as a key: model, regimen and population (not the threshold). */
export function bandsKey(s: WorkbenchState): string {
  const { id } = regimenPopulationModel(s);
  const r = s.regimen;
  return JSON.stringify([
    id,
    r.dose,
    r.interval,
    Math.max(1, Math.floor(r.doses)),
    r.loadingDose ?? 0,
    r.cmt ?? 1,
    s.population,
  ]);
}

/** What attainment depends on: model, interval, target and population (not the dose). */
export function attainmentKey(s: WorkbenchState): string {
  const { id } = regimenPopulationModel(s);
  const { bwMin, bwMax, comedFraction, seed } = s.population;
  return JSON.stringify([
    id,
    s.regimen.interval,
    s.regimen.cmt ?? 1,
    s.threshold.value,
    s.threshold.direction,
    bwMin,
    bwMax,
    comedFraction,
    seed,
  ]);
}

/** One kind of population job: what is wanted, its pending timer and the running job. */
interface JobTrack {
  wanted: string | null;
  timer: ReturnType<typeof setTimeout> | null;
  controller: AbortController | null;
}

const jobs: Record<'bands' | 'attainment', JobTrack> = {
  bands: { wanted: null, timer: null, controller: null },
  attainment: { wanted: null, timer: null, controller: null },
};

function stop(track: JobTrack): void {
  if (track.timer !== null) clearTimeout(track.timer);
  track.timer = null;
  track.controller?.abort();
  track.controller = null;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const createRegimenSlice: StateCreator<WorkbenchState, [], [], RegimenSlice> = (
  set,
  get,
) => {
  /** Runs `job` for `key` after the debounce, unless the key is already wanted or done. */
  function want(
    track: JobTrack,
    key: string,
    doneKey: string | undefined,
    mark: (patch: { status: PopulationJobStatus }) => void,
    job: (signal: AbortSignal) => Promise<void>,
  ): void {
    if (track.wanted === key) return;
    stop(track);
    track.wanted = key;
    if (doneKey === key) {
      mark({ status: 'done' });
      return;
    }
    mark({ status: 'running' });
    track.timer = setTimeout(() => {
      track.timer = null;
      const controller = new AbortController();
      track.controller = controller;
      void job(controller.signal).finally(() => {
        if (track.controller === controller) track.controller = null;
      });
    }, POPULATION_DEBOUNCE_MS);
  }

  function syncBands(s: WorkbenchState): void {
    const key = bandsKey(s);
    const { model } = regimenPopulationModel(s);
    const spec = populationSpec(s.population, s.population.size);
    const regimen = s.regimen;
    want(
      jobs.bands,
      key,
      s.populationBands?.key,
      ({ status }) =>
        set(
          status === 'running'
            ? { bandsStatus: status, bandsProgress: null }
            : { bandsStatus: status, bandsMessage: null },
        ),
      async (signal) => {
        try {
          const result = await bandsInWorker(model, spec, regimen, BAND_POINTS, {
            signal,
            onProgress: (p) => {
              if (!signal.aborted) set({ bandsProgress: p });
            },
          });
          if (signal.aborted) return;
          set({
            populationBands: { key, result },
            bandsStatus: 'done',
            bandsProgress: null,
            bandsMessage:
              result.skipped > 0
                ? `${result.skipped} of ${result.skipped + result.subjects} virtual subjects were left out because their simulation failed${result.firstSkipReason ? ` (${result.firstSkipReason})` : ''}.`
                : null,
          });
        } catch (err) {
          if (signal.aborted || isPopulationJobCancelled(err)) return;
          set({
            bandsStatus: 'error',
            bandsProgress: null,
            bandsMessage: `The population could not be simulated: ${reason(err)}`,
          });
        }
      },
    );
  }

  function syncAttainment(s: WorkbenchState): void {
    const { model } = regimenPopulationModel(s);
    if (model.pd === undefined) {
      stop(jobs.attainment);
      jobs.attainment.wanted = null;
      set({ attainmentStatus: 'idle', attainmentMessage: null });
      return;
    }
    const key = attainmentKey(s);
    const spec = populationSpec(s.population, ATTAINMENT_SUBJECTS);
    const question = attainmentQuestion(s.regimen, s.threshold);
    want(
      jobs.attainment,
      key,
      s.populationAttainment?.key,
      ({ status }) =>
        set(
          status === 'running'
            ? { attainmentStatus: status }
            : { attainmentStatus: status, attainmentMessage: null },
        ),
      async (signal) => {
        try {
          const result = await attainmentInWorker(model, spec, question, { signal });
          if (signal.aborted) return;
          set({
            populationAttainment: { key, result },
            attainmentStatus: 'done',
            attainmentMessage: null,
          });
        } catch (err) {
          if (signal.aborted || isPopulationJobCancelled(err)) return;
          set({
            attainmentStatus: 'error',
            attainmentMessage: `The fraction attaining the target could not be computed: ${reason(err)}`,
          });
        }
      },
    );
  }

  return {
    regimen: DEFAULT_REGIMEN,
    intervalChoice: '24',
    patient: { BW: 75, COMED: 0 },
    threshold: { value: 3.3, direction: 'below' },
    logScale: false,
    regimenMode: 'patient',
    population: DEFAULT_POPULATION,
    populationBands: null,
    bandsStatus: 'idle',
    bandsProgress: null,
    bandsMessage: null,
    populationAttainment: null,
    attainmentStatus: 'idle',
    attainmentMessage: null,
    sharedNotice: null,
    openSharedRegimen: (read) => {
      if (!read.ok) {
        set({ activePanel: 'regimen', sharedNotice: { kind: 'error', text: read.message } });
        return;
      }
      const { shared } = read;
      const s = get();
      const known =
        shared.modelId === DEMO_TRUTH_ID ||
        s.savedFits.some((f) => f.id === shared.modelId) ||
        s.neuralModels.some((m) => m.id === shared.modelId);
      const modelNote = known
        ? ''
        : ` Its model${shared.modelLabel ? ` (“${shared.modelLabel}”)` : ''} is not in this browser, so the current model is used.`;
      set({
        regimen: shared.regimen,
        intervalChoice: shared.intervalChoice,
        patient: shared.patient,
        threshold: shared.threshold,
        regimenMode: shared.regimenMode,
        population: shared.population,
        ...(known ? { regimenModelId: shared.modelId } : {}),
        activePanel: 'regimen',
        sharedNotice: {
          kind: known ? 'info' : 'error',
          text: `Opened a shared regimen: ${shared.regimen.dose} mg every ${shared.regimen.interval} h × ${shared.regimen.doses}, biomarker ${shared.threshold.direction} ${shared.threshold.value} ng/mL.${modelNote}`,
        },
      });
    },
    dismissSharedNotice: () => set({ sharedNotice: null }),
    setRegimen: (patch) => set((s) => ({ regimen: { ...s.regimen, ...patch } })),
    setIntervalChoice: (choice) =>
      set((s) => ({
        intervalChoice: choice,
        regimen: choice === 'custom' ? s.regimen : { ...s.regimen, interval: Number(choice) },
      })),
    setPatient: (patch) => set((s) => ({ patient: { ...s.patient, ...patch } })),
    setThreshold: (patch) => set((s) => ({ threshold: { ...s.threshold, ...patch } })),
    setLogScale: (on) => set({ logScale: on }),
    setRegimenMode: (mode) => set({ regimenMode: mode }),
    setPopulation: (patch) =>
      set((s) => ({ population: sanitizePopulation({ ...s.population, ...patch }) })),
    syncPopulation: () => {
      const s = get();
      // A neural model has no population (no between-subject variability to draw from).
      if (s.regimenMode !== 'population' || isNeuralModelId(s.regimenModelId)) {
        for (const track of Object.values(jobs)) {
          stop(track);
          track.wanted = null;
        }
        if (s.bandsStatus === 'running' || s.attainmentStatus === 'running')
          set({ bandsStatus: 'idle', attainmentStatus: 'idle', bandsProgress: null });
        return;
      }
      syncBands(s);
      syncAttainment(s);
    },
  };
};
