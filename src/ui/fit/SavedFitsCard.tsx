import { useWorkbench } from '../../state/store';
import { SavedItemsCard } from '../components/SavedItemsCard';
import { formatObjective } from '../charts/format';

/** Fit files larger than this are refused before reading (MB). */
const MAX_IMPORT_MB = 100;

/** Fits kept in this browser: open, export, delete; and a fit file to import. */
export function SavedFitsCard() {
  const fits = useWorkbench((s) => s.savedFits);
  const storageStatus = useWorkbench((s) => s.savedFitsStatus);
  const storageMessage = useWorkbench((s) => s.fitStorageMessage);
  const fileMessage = useWorkbench((s) => s.fitFileMessage);
  const currentFitId = useWorkbench((s) => s.currentFitId);
  const running = useWorkbench((s) => s.fitStatus === 'running');
  const loadSavedFit = useWorkbench((s) => s.loadSavedFit);
  const deleteFit = useWorkbench((s) => s.deleteFit);
  const exportFit = useWorkbench((s) => s.exportFit);
  const importFitFile = useWorkbench((s) => s.importFitFile);

  return (
    <SavedItemsCard
      title="Saved fits"
      importLabel="Import a fit file…"
      accept=".json,application/json"
      maxImportMb={MAX_IMPORT_MB}
      testIds={{
        card: 'saved-fits',
        importInput: 'fit-import',
        fileMessage: 'fit-file-message',
        empty: 'saved-fits-empty',
        item: 'saved-fit',
      }}
      description="Every finished fit is kept in this browser and survives a reload. Export a fit to share it or keep it elsewhere; nothing leaves this machine otherwise."
      storageMessage={storageMessage}
      fileMessage={fileMessage}
      emptyText={storageStatus === 'loading' ? 'Looking for saved fits…' : 'No saved fits yet.'}
      listLabel="Saved fits"
      items={fits.map((f) => ({
        id: f.id,
        label: f.label,
        current: f.id === currentFitId,
        openDisabled: running,
        details: (
          <>
            {f.modelName} · OFV {formatObjective(f.ofv)} ·{' '}
            {f.converged ? 'converged' : 'not converged'} · {new Date(f.date).toLocaleString()}
          </>
        ),
      }))}
      deleteQuestion={(label) => `Delete the saved fit "${label}"?`}
      onImport={importFitFile}
      onOpen={(fitId) => void loadSavedFit(fitId, { adoptSpec: true })}
      onExport={exportFit}
      onDelete={deleteFit}
    />
  );
}
