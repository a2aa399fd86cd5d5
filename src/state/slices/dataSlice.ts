import type { StateCreator } from 'zustand';
import type { ColumnMapping, DataProblem, Dataset } from '../../core/data/types';
import { summarizeDataset } from '../../core/data/summary';
import { DEMO_TRIAL_SEED, generateDemoTrial } from '../../core/trial/demoTrial';
import type { PopulationModel } from '../../core/pkpd/population';
import { importInWorker } from '../../workers/importClient';
import type { WorkbenchState } from '../store';

/** Where the loaded data came from; persisted so a reload restores it. */
export type DataSource =
  { kind: 'demo'; seed: number } | { kind: 'file'; name: string; size: number };

export type DatasetSummary = ReturnType<typeof summarizeDataset>;

/** Files up to this size are kept in the browser's local storage so a reload restores them. */
export const PERSIST_MAX_CHARS = 2_000_000;

export interface DataSlice {
  dataset: Dataset | null;
  summary: DatasetSummary | null;
  source: DataSource | null;
  /** The text of the last user file, kept to re-import with another column mapping. */
  fileText: string | null;
  /** The name of a file that failed to load (kept for re-mapping its columns). */
  pendingName: string | null;
  mapping: Partial<ColumnMapping>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  problems: DataProblem[];
  warnings: DataProblem[];
  preview: { columns: string[]; rows: string[][] } | null;
  /** The true model the demo trial was simulated from (null for user files). */
  demoTruth: { model: PopulationModel; description: string } | null;
  loadDemo: (seed?: number) => Promise<void>;
  loadText: (name: string, text: string, mapping?: Partial<ColumnMapping>) => Promise<void>;
  remap: (mapping: Partial<ColumnMapping>) => Promise<void>;
}

export const createDataSlice: StateCreator<WorkbenchState, [], [], DataSlice> = (set, get) => ({
  dataset: null,
  summary: null,
  source: null,
  fileText: null,
  pendingName: null,
  mapping: {},
  status: 'idle',
  problems: [],
  warnings: [],
  preview: null,
  demoTruth: null,
  loadDemo: async (seed = DEMO_TRIAL_SEED) => {
    set({ status: 'loading', problems: [], warnings: [], preview: null });
    const trial = generateDemoTrial(seed);
    const result = await importInWorker(trial.csv, { name: `Demo trial (seed ${seed})` });
    if (!result.ok) {
      // The generator writes valid files; reaching here is a bug worth showing, not hiding.
      set({ status: 'error', problems: result.problems, preview: result.preview ?? null });
      return;
    }
    set({
      status: 'ready',
      dataset: result.dataset,
      summary: summarizeDataset(result.dataset),
      source: { kind: 'demo', seed },
      fileText: null,
      mapping: {},
      warnings: result.warnings,
      demoTruth: { model: trial.trueModel, description: trial.description },
    });
  },
  loadText: async (name, text, mapping = {}) => {
    set({ status: 'loading', problems: [], warnings: [], preview: null });
    const result = await importInWorker(text, { name, mapping });
    if (!result.ok) {
      // A file with errors loads nothing: the previous data set stays active.
      set({
        status: 'error',
        problems: result.problems,
        preview: result.preview ?? null,
        fileText: text,
        mapping,
        pendingName: name,
      });
      return;
    }
    set({
      status: 'ready',
      dataset: result.dataset,
      summary: summarizeDataset(result.dataset),
      source: { kind: 'file', name, size: text.length },
      fileText: text,
      pendingName: null,
      mapping,
      warnings: result.warnings,
      demoTruth: null,
    });
  },
  remap: async (mapping) => {
    const { fileText, pendingName, source } = get();
    if (fileText === null) return;
    const name = pendingName ?? (source?.kind === 'file' ? source.name : 'data.csv');
    await get().loadText(name, fileText, mapping);
  },
});
