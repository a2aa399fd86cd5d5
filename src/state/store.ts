import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createDataSlice, PERSIST_MAX_CHARS, type DataSlice } from './slices/dataSlice';
import { createEnvSlice, type EnvSlice } from './slices/envSlice';
import { createRegimenSlice, type RegimenSlice } from './slices/regimenSlice';
import { createUiSlice, PANELS, type UiSlice } from './slices/uiSlice';

/** One store built from slices; it holds only serialisable data, never tensors or workers. */
export type WorkbenchState = DataSlice & RegimenSlice & UiSlice & EnvSlice;

/** Bump when the persisted shape changes; older saved states are then ignored. */
const PERSIST_VERSION = 1;

export const useWorkbench = create<WorkbenchState>()(
  persist(
    (...a) => ({
      ...createDataSlice(...a),
      ...createRegimenSlice(...a),
      ...createUiSlice(...a),
      ...createEnvSlice(...a),
    }),
    {
      name: 'pkpd-workbench',
      version: PERSIST_VERSION,
      storage: createJSONStorage(() => localStorage),
      // Settings and the data source survive a reload; the parsed data set is rebuilt from them.
      partialize: (s) => ({
        regimen: s.regimen,
        intervalChoice: s.intervalChoice,
        patient: s.patient,
        threshold: s.threshold,
        logScale: s.logScale,
        activePanel: s.activePanel,
        source: s.source,
        mapping: s.mapping,
        fileText:
          s.source?.kind === 'file' && s.fileText && s.fileText.length <= PERSIST_MAX_CHARS
            ? s.fileText
            : null,
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<WorkbenchState>;
        const activePanel = PANELS.includes(p.activePanel as never) ? p.activePanel : undefined;
        return {
          ...current,
          ...p,
          ...(activePanel ? { activePanel } : { activePanel: current.activePanel }),
        };
      },
    },
  ),
);

/** Restores the data set after a reload: the saved file when it was kept, else the demo trial. */
export async function restoreWorkspace(): Promise<void> {
  const s = useWorkbench.getState();
  void s.detectBackend();
  if (s.source?.kind === 'file' && s.fileText) {
    await s.loadText(s.source.name, s.fileText, s.mapping);
    if (useWorkbench.getState().status === 'ready') return;
  }
  await s.loadDemo(s.source?.kind === 'demo' ? s.source.seed : undefined);
}
