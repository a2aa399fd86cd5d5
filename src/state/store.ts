import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import {
  createCircuitSlice,
  restoreCircuitSettings,
  type CircuitSlice,
} from './slices/circuitSlice';
import { createCompareSlice, type CompareSlice } from './slices/compareSlice';
import { restoreCompareSettings } from './compareSweep';
import { readShareFragment } from './shareLink';
import { createDataSlice, PERSIST_MAX_CHARS, type DataSlice } from './slices/dataSlice';
import { createDosingSlice, restoreDosingSettings, type DosingSlice } from './slices/dosingSlice';
import { createEnvSlice, type EnvSlice } from './slices/envSlice';
import { createFitSlice, type FitSlice } from './slices/fitSlice';
import { createNeuralSlice, restoreNeuralSettings, type NeuralSlice } from './slices/neuralSlice';
import { createRegimenSlice, sanitizePopulation, type RegimenSlice } from './slices/regimenSlice';
import { createSavedFitsSlice, type SavedFitsSlice } from './slices/savedFitsSlice';
import { createUiSlice, PANELS, type UiSlice } from './slices/uiSlice';
import { createVpcSlice, type VpcSlice } from './slices/vpcSlice';
import { Decoder } from './decode';
import { decodeSpec } from './fitFile';
import { takeHandedOverData } from './importedData';

/** One store built from slices; it holds only serialisable data, never tensors or workers. */
export type WorkbenchState = DataSlice &
  RegimenSlice &
  UiSlice &
  EnvSlice &
  FitSlice &
  SavedFitsSlice &
  VpcSlice &
  DosingSlice &
  NeuralSlice &
  CircuitSlice &
  CompareSlice;

/** Bump when the persisted shape changes; older saved states are then ignored. */
const PERSIST_VERSION = 1;
/** A fit spec larger than this (e.g. one carrying every subject's PK) is not kept in local storage. */
const PERSIST_MAX_SPEC_CHARS = 20_000;

/** The persisted fit spec if it is still a valid spec, else nothing (it is rebuilt from the data). */
function restoredSpec(value: unknown): Pick<FitSlice, 'fitSpec'> | Record<string, never> {
  if (value === undefined || value === null) return {};
  const d = new Decoder();
  const spec = decodeSpec(d, value, 'fitSpec');
  return d.ok ? { fitSpec: spec } : { fitSpec: null };
}

export const useWorkbench = create<WorkbenchState>()(
  persist(
    (...a) => ({
      ...createDataSlice(...a),
      ...createRegimenSlice(...a),
      ...createUiSlice(...a),
      ...createEnvSlice(...a),
      ...createFitSlice(...a),
      ...createSavedFitsSlice(...a),
      ...createVpcSlice(...a),
      ...createDosingSlice(...a),
      ...createNeuralSlice(...a),
      ...createCircuitSlice(...a),
      ...createCompareSlice(...a),
    }),
    {
      name: 'pkpd-workbench',
      version: PERSIST_VERSION,
      storage: createJSONStorage(() => localStorage),
      // Settings and the data source survive a reload; the parsed data set is rebuilt from them.
      // Fit results live in IndexedDB (see fitStorage); only which one is open is kept here.
      partialize: (s) => ({
        regimen: s.regimen,
        intervalChoice: s.intervalChoice,
        patient: s.patient,
        threshold: s.threshold,
        logScale: s.logScale,
        regimenMode: s.regimenMode,
        population: s.population,
        activePanel: s.activePanel,
        source: s.source,
        mapping: s.mapping,
        fileText:
          s.source?.kind === 'file' && s.fileText && s.fileText.length <= PERSIST_MAX_CHARS
            ? s.fileText
            : null,
        fitModelName: s.fitModelName,
        fitSpec:
          s.fitSpec && JSON.stringify(s.fitSpec).length <= PERSIST_MAX_SPEC_CHARS
            ? s.fitSpec
            : null,
        fitSpecData: s.fitSpecData,
        fitOptions: s.fitOptions,
        currentFitId: s.currentFitId,
        regimenModelId: s.regimenModelId,
        vpcSettings: s.vpcSettings,
        dosingSettings: s.dosingSettings,
        neuralSettings: s.neuralSettings,
        currentNeuralId: s.currentNeuralId,
        neuralUncertainty: s.neuralUncertainty,
        circuitSettings: s.circuitSettings,
        compareSettings: s.compareSettings,
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<WorkbenchState>;
        const activePanel = PANELS.includes(p.activePanel as never) ? p.activePanel : undefined;
        const neuralSettings = restoreNeuralSettings(p.neuralSettings);
        return {
          ...current,
          ...p,
          ...restoredSpec(p.fitSpec),
          fitOptions: { ...current.fitOptions, ...(p.fitOptions ?? {}) },
          vpcSettings: { ...current.vpcSettings, ...(p.vpcSettings ?? {}) },
          regimenMode: p.regimenMode === 'population' ? 'population' : 'patient',
          population: sanitizePopulation({ ...current.population, ...(p.population ?? {}) }),
          dosingSettings: restoreDosingSettings(p.dosingSettings),
          neuralSettings,
          // Without saved choices, the circuit panel starts from the network's circuit shape.
          circuitSettings: restoreCircuitSettings(p.circuitSettings, neuralSettings.config),
          neuralUncertainty: p.neuralUncertainty !== false,
          compareSettings: restoreCompareSettings(p.compareSettings),
          ...(activePanel ? { activePanel } : { activePanel: current.activePanel }),
        };
      },
    },
  ),
);

// Derived bookkeeping between slices: the fit spec follows the loaded data set, and a VPC
// belongs to the fit it was run for.
useWorkbench.subscribe((s, prev) => {
  if (s.dataset !== prev.dataset) s.syncFitSpec();
  if (s.currentFitId !== prev.currentFitId && s.vpcFitId !== s.currentFitId) s.clearVpc();
  // A neural model chosen for the explorer loads its weights (once).
  if (
    s.regimenModelId !== prev.regimenModelId &&
    s.neuralModels.some((m) => m.id === s.regimenModelId)
  ) {
    void s.ensureNeuralPredictor(s.regimenModelId);
  }
});

/** Restores the data set after a reload (the saved file when it was kept, else the demo trial) and the saved fits. */
export async function restoreWorkspace(): Promise<void> {
  const s = useWorkbench.getState();
  // A shared regimen link (#regimen=…): read now, applied once the models it may name are back.
  const shared = typeof location === 'undefined' ? null : readShareFragment(location.hash);
  void s.detectBackend();
  const fits = s.restoreFits();
  const neural = s.restoreNeuralModels();
  const compare = s.restoreCompare();
  await restoreData();
  await fits;
  await neural;
  if (shared) {
    useWorkbench.getState().openSharedRegimen(shared);
    // The settings are the page's own now; a reload should not apply the link again.
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  await compare;
}

/** The data set from the persisted source: the kept (or handed-over) file, else the demo trial. */
export async function restoreData(): Promise<void> {
  const s = useWorkbench.getState();
  // A file too large for local storage comes from an imported workspace's hand-over, if any.
  const text =
    s.source?.kind === 'file' ? (s.fileText ?? (await takeHandedOverData(s.source.name))) : null;
  if (s.source?.kind === 'file' && text) {
    await s.loadText(s.source.name, text, s.mapping);
    if (useWorkbench.getState().status === 'ready') return;
  }
  await s.loadDemo(s.source?.kind === 'demo' ? s.source.seed : undefined);
}
