import { useWorkbench } from '../../state/store';
import { FileLoader } from './FileLoader';
import { ProblemsList } from './ProblemsList';
import { DataSummary } from './DataSummary';
import { SubjectPlots } from './SubjectPlots';
import { RecordsTable } from './RecordsTable';
import { DemoTrialInfo } from './DemoTrialInfo';
import { ColumnMappingForm } from './ColumnMappingForm';

/** Data: what the workbench does, where the data come from, and what they look like. */
export function DataPanel() {
  const status = useWorkbench((s) => s.status);
  const dataset = useWorkbench((s) => s.dataset);
  const warnings = useWorkbench((s) => s.warnings);
  return (
    <div className="panel" data-testid="data-panel">
      <FileLoader />
      {status === 'error' ? (
        <>
          <ProblemsList />
          <ColumnMappingForm />
        </>
      ) : null}
      {warnings.length > 0 && status === 'ready' ? (
        <div className="alert warn" role="status">
          <strong>
            {warnings.length} note{warnings.length > 1 ? 's' : ''} on this file
          </strong>{' '}
          (it loaded):
          <ul>
            {warnings.slice(0, 50).map((w, i) => (
              <li key={i}>
                line {w.line}
                {w.column ? `, column ${w.column}` : ''}
                {w.value !== undefined ? `, value "${w.value}"` : ''}: {w.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {dataset ? (
        <>
          <DataSummary />
          <SubjectPlots />
          <DemoTrialInfo />
          <RecordsTable />
        </>
      ) : status === 'loading' ? (
        <p className="muted" role="status">
          Loading data…
        </p>
      ) : null}
    </div>
  );
}
