import type { StateCreator } from 'zustand';
import type { WorkbenchState } from '../store';

/** The workflow reads left to right; later panels join this list as they land. */
export const PANELS = [
  'data',
  'model',
  'neural',
  'circuit',
  'compare',
  'curves',
  'regimen',
  'dosing',
] as const;
export type PanelId = (typeof PANELS)[number];

export interface UiSlice {
  activePanel: PanelId;
  setActivePanel: (panel: PanelId) => void;
}

export const createUiSlice: StateCreator<WorkbenchState, [], [], UiSlice> = (set) => ({
  activePanel: 'data',
  setActivePanel: (panel) => set({ activePanel: panel }),
});
