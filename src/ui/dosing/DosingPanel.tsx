import { ChallengeCard } from './ChallengeCard';
import { DosingControls } from './DosingControls';
import { FindDoseCard } from './FindDoseCard';

/**
 * Dosing: which dose, for which population. Settings on the left; on the right the answer
 * (plot first, then words) and the challenge's questions as a table.
 */
export function DosingPanel() {
  return (
    <div className="grid-sidebar dosing-layout" data-testid="dosing-panel">
      <div className="panel">
        <DosingControls />
      </div>
      <div className="panel">
        <FindDoseCard />
        <ChallengeCard />
      </div>
    </div>
  );
}
