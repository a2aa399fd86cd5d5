import { lazy, Suspense, useEffect } from 'react';
import * as Tabs from '@radix-ui/react-tabs';
import { restoreWorkspace, useWorkbench } from '../state/store';
import { PANELS, type PanelId } from '../state/slices/uiSlice';
import { StatusBar } from './components/StatusBar';
import { WorkspaceMenu } from './components/WorkspaceMenu';
import { CurvesPanel } from './curves/CurvesPanel';
import { DataPanel } from './data/DataPanel';
import { FitPanel } from './fit/FitPanel';
import { RegimenPanel } from './regimen/RegimenPanel';
import { DosingPanel } from './dosing/DosingPanel';
import { NeuralPanel } from './neural/NeuralPanel';
import { CircuitPanel } from './circuit/CircuitPanel';

// Loaded when its tab opens: the comparison's planning reaches tfjs, kept out of the first load.
const ComparePanel = lazy(() =>
  import('./compare/ComparePanel').then((m) => ({ default: m.ComparePanel })),
);

const PANEL_LABELS: Record<PanelId, string> = {
  data: 'Data',
  model: 'Model fit',
  neural: 'Neural models',
  circuit: 'Quantum circuit',
  compare: 'Compare',
  curves: 'Curves',
  regimen: 'Regimen',
  dosing: 'Dosing',
};

export function App() {
  const activePanel = useWorkbench((s) => s.activePanel);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);

  useEffect(() => {
    void restoreWorkspace();
  }, []);

  return (
    <>
      <header className="app-header">
        <div>
          <h1>PK/PD Dosing Workbench</h1>
          <p className="tagline">
            Explore doses and PK/PD models in your browser. Patient data never leaves this machine.
          </p>
        </div>
        <StatusBar />
        <WorkspaceMenu />
      </header>
      <Tabs.Root value={activePanel} onValueChange={(v) => setActivePanel(v as PanelId)}>
        <Tabs.List className="tabs-list" aria-label="Workflow">
          {PANELS.map((id, i) => (
            <Tabs.Trigger key={id} value={id} className="tab">
              <span className="step" aria-hidden="true">
                {i + 1}
              </span>
              {PANEL_LABELS[id]}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <main>
          <Tabs.Content value="data">
            <DataPanel />
          </Tabs.Content>
          <Tabs.Content value="model">
            <FitPanel />
          </Tabs.Content>
          <Tabs.Content value="neural">
            <NeuralPanel />
          </Tabs.Content>
          <Tabs.Content value="circuit">
            <CircuitPanel />
          </Tabs.Content>
          <Tabs.Content value="compare">
            <Suspense fallback={<p className="muted small">Loading the Compare panel…</p>}>
              <ComparePanel />
            </Suspense>
          </Tabs.Content>
          <Tabs.Content value="curves">
            <CurvesPanel />
          </Tabs.Content>
          <Tabs.Content value="regimen">
            <RegimenPanel />
          </Tabs.Content>
          <Tabs.Content value="dosing">
            <DosingPanel />
          </Tabs.Content>
        </main>
      </Tabs.Root>
    </>
  );
}
