import * as Switch from '@radix-ui/react-switch';
import { useWorkbench } from '../../state/store';

/** The workspace-wide log-scale toggle, shared by every panel that plots concentrations. */
export function LogScaleSwitch({ id, testId }: { id: string; testId: string }) {
  const logScale = useWorkbench((s) => s.logScale);
  const setLogScale = useWorkbench((s) => s.setLogScale);
  return (
    <label htmlFor={id} className="row small">
      Log scale
      <Switch.Root
        id={id}
        checked={logScale}
        onCheckedChange={setLogScale}
        className="switch"
        data-testid={testId}
      >
        <Switch.Thumb className="switch-thumb" />
      </Switch.Root>
    </label>
  );
}
