import { FitSpecEditor } from './FitSpecEditor';
import { FitProgressCard } from './FitProgressCard';
import { FitResultCard } from './FitResultCard';
import { SavedFitsCard } from './SavedFitsCard';

/** Model fit: choose and edit a population model, fit it in the background, read the estimates. */
export function FitPanel() {
  return (
    <div className="panel" data-testid="fit-panel">
      <div className="fit-layout">
        <FitSpecEditor />
        <div className="panel">
          <FitProgressCard />
          <SavedFitsCard />
        </div>
      </div>
      <FitResultCard />
    </div>
  );
}
