import { useWorkbench } from '../../state/store';
import { activePredictor } from '../../state/activeModel';
import { OfflineStatus } from './OfflineStatus';

const BACKEND_LABELS = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU',
} as const;

/**
 * Always visible: which data set is loaded, which model is active, which backend computes, and
 * whether the app works offline.
 */
export function StatusBar() {
  const source = useWorkbench((s) => s.source);
  const status = useWorkbench((s) => s.status);
  const subjects = useWorkbench((s) => s.summary?.subjects);
  const backend = useWorkbench((s) => s.backend);
  const regimenModelId = useWorkbench((s) => s.regimenModelId);
  const savedFits = useWorkbench((s) => s.savedFits);
  const neural = useWorkbench((s) => s.neuralModels.find((m) => m.id === s.regimenModelId));
  const modelLabel = neural
    ? `Neural: ${neural.label}`
    : activePredictor({ regimenModelId, savedFits }).label;

  const dataLabel =
    status === 'loading'
      ? 'loading…'
      : source === null
        ? 'none'
        : source.kind === 'demo'
          ? `Demo trial (seed ${source.seed})`
          : source.name;

  return (
    <div className="status-bar" aria-label="Workbench status">
      <span className="badge" data-testid="status-data">
        Data: <strong>{dataLabel}</strong>
        {subjects !== undefined && status !== 'loading' ? ` · ${subjects} subjects` : ''}
      </span>
      <span className="badge" data-testid="status-model">
        Model: <strong>{modelLabel}</strong>
      </span>
      <span
        className="badge"
        data-testid="status-backend"
        title={backend?.reason || backend?.adapter || 'Detecting the compute backend'}
      >
        Compute: <strong>{backend ? BACKEND_LABELS[backend.name] : 'detecting…'}</strong>
        {backend && backend.name !== 'webgpu' ? ` (${backend.reason})` : ''}
      </span>
      <OfflineStatus />
    </div>
  );
}
