import type { StateCreator } from 'zustand';
import type { TrainingDomain } from '../../core/models/types';
import { buildFitSpec } from '../../core/nlme/models';
import type { FitResult } from '../../core/nlme/types';
import {
  defaultFitLabel,
  fitFileName,
  fitFileText,
  fitMeta,
  parseFitFile,
  type SavedFitMeta,
} from '../fitFile';
import { deleteSavedFit, listSavedFits, loadFitResult, newFitId, saveFit } from '../fitStorage';
import { trainingDomainOf } from '../../core/models/trainingDomain';
import type { WorkbenchState } from '../store';
import { isNeuralModelId } from '../neuralModels';

/** The Regimen explorer's default model. */
export const DEMO_TRUTH_ID = 'demo-truth';

export interface FitFileMessage {
  readonly kind: 'ok' | 'error';
  readonly text: string;
  /** For a file that was refused: what is wrong, field by field. */
  readonly problems?: readonly string[];
}

export interface SavedFitsSlice {
  /** Saved fits, newest first (descriptions only; results load on demand). */
  savedFits: SavedFitMeta[];
  savedFitsStatus: 'loading' | 'ready' | 'unavailable';
  /** Why fits cannot be kept across reloads, when they cannot. */
  fitStorageMessage: string | null;
  /** The outcome of the last import or export. */
  fitFileMessage: FitFileMessage | null;
  /** The model the Regimen explorer uses: DEMO_TRUTH_ID or a saved fit's id. */
  regimenModelId: string;
  restoreFits: () => Promise<void>;
  /**
   * Makes a saved fit the current one (shown in Model fit and Curves). With `adoptSpec`, its
   * specification also becomes the one being edited, when it was fitted on the loaded data.
   */
  loadSavedFit: (id: string, opts?: { adoptSpec?: boolean }) => Promise<void>;
  deleteFit: (id: string) => Promise<void>;
  /** The file for a saved fit, for the panel to download; null (with a message) on failure. */
  exportFit: (id: string) => Promise<{ fileName: string; text: string } | null>;
  importFitFile: (name: string, text: string) => Promise<void>;
  /** Saves a new fit and makes it the current one. */
  rememberFit: (result: FitResult, domain?: TrainingDomain, label?: string) => Promise<void>;
  setRegimenModel: (id: string) => void;
  dismissFitFileMessage: () => void;
}

/**
 * Results of this session's fits, also kept in memory: loading one is instant, and where
 * IndexedDB is unavailable the fits still work until the page closes.
 */
const sessionResults = new Map<string, FitResult>();

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const createSavedFitsSlice: StateCreator<WorkbenchState, [], [], SavedFitsSlice> = (
  set,
  get,
) => ({
  savedFits: [],
  savedFitsStatus: 'loading',
  fitStorageMessage: null,
  fitFileMessage: null,
  regimenModelId: DEMO_TRUTH_ID,

  restoreFits: async () => {
    let stored: SavedFitMeta[];
    try {
      stored = await listSavedFits();
    } catch (err) {
      set({
        savedFitsStatus: 'unavailable',
        fitStorageMessage: `Fits cannot be kept in this browser after a reload (${reason(err)}). Export a fit to keep it.`,
      });
      return;
    }
    // Fits finished while the list was loading stay in front.
    const fresh = get().savedFits.filter((f) => !stored.some((s) => s.id === f.id));
    const savedFits = [...fresh, ...stored];
    set({ savedFits, savedFitsStatus: 'ready' });
    const { currentFitId, regimenModelId, fitResult } = get();
    if (
      regimenModelId !== DEMO_TRUTH_ID &&
      !isNeuralModelId(regimenModelId) &&
      !savedFits.some((f) => f.id === regimenModelId)
    ) {
      set({ regimenModelId: DEMO_TRUTH_ID });
    }
    if (currentFitId && !fitResult) {
      if (savedFits.some((f) => f.id === currentFitId)) await get().loadSavedFit(currentFitId);
      else set({ currentFitId: null });
    }
  },

  loadSavedFit: async (id, opts = {}) => {
    let result = sessionResults.get(id);
    if (!result) {
      try {
        result = await loadFitResult(id);
      } catch (err) {
        set({ fitStorageMessage: `The saved fit could not be read (${reason(err)}).` });
        return;
      }
    }
    if (!result) {
      set({ fitStorageMessage: 'That saved fit is no longer in this browser.' });
      return;
    }
    sessionResults.set(id, result);
    set({ fitResult: result, currentFitId: id });
    const { dataset, fitStatus } = get();
    if (opts.adoptSpec && fitStatus !== 'running' && dataset?.name === result.dataName) {
      let choices = result.spec.covariates;
      try {
        choices = buildFitSpec(result.spec.name, dataset).covariates;
      } catch {
        // A model name this version does not know: offer the fit's own covariates only.
      }
      set({
        fitModelName: result.spec.name,
        fitSpec: result.spec,
        fitSpecData: dataset.name,
        fitCovariateChoices: [...choices],
      });
    }
  },

  deleteFit: async (id) => {
    sessionResults.delete(id);
    set((s) => ({
      savedFits: s.savedFits.filter((f) => f.id !== id),
      ...(s.currentFitId === id ? { currentFitId: null, fitResult: null } : {}),
      ...(s.regimenModelId === id ? { regimenModelId: DEMO_TRUTH_ID } : {}),
    }));
    try {
      await deleteSavedFit(id);
    } catch {
      // Nothing was stored where storage is unavailable; the list above is what counts.
    }
  },

  exportFit: async (id) => {
    const meta = get().savedFits.find((f) => f.id === id);
    let result = sessionResults.get(id);
    try {
      result ??= await loadFitResult(id);
    } catch (err) {
      set({ fitFileMessage: { kind: 'error', text: `Could not read the fit (${reason(err)}).` } });
      return null;
    }
    if (!meta || !result) {
      set({
        fitFileMessage: { kind: 'error', text: 'That saved fit is no longer in this browser.' },
      });
      return null;
    }
    const fileName = fitFileName(meta);
    set({ fitFileMessage: { kind: 'ok', text: `Exported "${meta.label}" as ${fileName}.` } });
    return { fileName, text: fitFileText(meta, result) };
  },

  importFitFile: async (name, text) => {
    const parsed = parseFitFile(text);
    if (!parsed.ok) {
      set({
        fitFileMessage: {
          kind: 'error',
          text: `${name} was not imported: it is not a fit this workbench can read.`,
          problems: parsed.problems,
        },
      });
      return;
    }
    const { dataset } = get();
    const domain =
      parsed.domain ??
      (dataset && dataset.name === parsed.result.dataName ? trainingDomainOf(dataset) : undefined);
    const label = parsed.label ?? defaultFitLabel(parsed.result);
    await get().rememberFit(parsed.result, domain, label);
    set({ fitFileMessage: { kind: 'ok', text: `Imported "${label}" from ${name}.` } });
  },

  rememberFit: async (result, domain, label) => {
    const id = newFitId();
    const meta = fitMeta(result, id, label, domain);
    sessionResults.set(id, result);
    set((s) => ({ savedFits: [meta, ...s.savedFits], fitResult: result, currentFitId: id }));
    if (get().savedFitsStatus === 'unavailable') return;
    try {
      await saveFit(meta, result);
    } catch (err) {
      set({
        fitStorageMessage: `This fit could not be saved in the browser (${reason(err)}); it stays until the page closes. Export it to keep it.`,
      });
    }
  },

  setRegimenModel: (id) => set({ regimenModelId: id }),
  dismissFitFileMessage: () => set({ fitFileMessage: null }),
});
