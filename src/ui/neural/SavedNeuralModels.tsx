import { useWorkbench } from '../../state/store';
import { SavedItemsCard } from '../components/SavedItemsCard';
import { formatNumber } from '../charts/format';

/** Model files larger than this are refused before reading (MB). */
const MAX_IMPORT_MB = 50;

/** Neural models kept in this browser: open, use, export, delete; and a model file to import. */
export function SavedNeuralModels() {
  const models = useWorkbench((s) => s.neuralModels);
  const status = useWorkbench((s) => s.neuralModelsStatus);
  const storageMessage = useWorkbench((s) => s.neuralStorageMessage);
  const fileMessage = useWorkbench((s) => s.neuralFileMessage);
  const currentId = useWorkbench((s) => s.currentNeuralId);
  const select = useWorkbench((s) => s.selectNeuralModel);
  const remove = useWorkbench((s) => s.deleteNeuralModel);
  const exportModel = useWorkbench((s) => s.exportNeuralModel);
  const importFile = useWorkbench((s) => s.importNeuralFile);

  return (
    <SavedItemsCard
      title="Saved models"
      importLabel="Import a model file…"
      accept=".json,application/json"
      maxImportMb={MAX_IMPORT_MB}
      testIds={{
        card: 'saved-neural-models',
        importInput: 'neural-import',
        fileMessage: 'neural-file-message',
        empty: 'neural-models-empty',
        item: 'saved-neural-model',
      }}
      description="Every trained model is kept in this browser and survives a reload. Export one to share it; nothing leaves this machine otherwise."
      storageMessage={storageMessage}
      fileMessage={fileMessage}
      emptyText={status === 'loading' ? 'Looking for saved models…' : 'No saved models yet.'}
      listLabel="Saved neural models"
      items={models.map((m) => ({
        id: m.id,
        label: m.label,
        current: m.id === currentId,
        details: (
          <>
            held-out RMSE{' '}
            {m.training.pkRmse === null ? '—' : `${formatNumber(m.training.pkRmse, 3)} mg/L`} ·{' '}
            {m.training.pdRmse === null ? '—' : `${formatNumber(m.training.pdRmse, 3)} ng/mL`} ·{' '}
            {new Date(m.createdAt).toLocaleString()}
          </>
        ),
      }))}
      deleteQuestion={(label) => `Delete the saved model "${label}"?`}
      onImport={importFile}
      onOpen={select}
      onExport={exportModel}
      onDelete={remove}
    />
  );
}
