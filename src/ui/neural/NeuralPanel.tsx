import { NeuralModelCard } from './NeuralModelCard';
import { NeuralSettingsForm } from './NeuralSettingsForm';
import { SavedNeuralModels } from './SavedNeuralModels';
import { TrainingCard } from './TrainingCard';

/**
 * Neural models: choose a framework, encoder and output, train in a background worker on the
 * best backend available, watch the loss, and read the errors on subjects the model never saw.
 */
export function NeuralPanel() {
  return (
    <div className="grid-sidebar neural-layout" data-testid="neural-panel">
      <div className="panel">
        <NeuralSettingsForm />
      </div>
      <div className="panel">
        <TrainingCard />
        <NeuralModelCard />
        <SavedNeuralModels />
      </div>
    </div>
  );
}
