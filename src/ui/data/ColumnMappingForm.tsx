import { useState } from 'react';
import { useWorkbench } from '../../state/store';
import { COLUMN_ROLES, type ColumnMapping, type ColumnRole } from '../../core/data/types';

/** What each role means, for the mapping form's labels. */
const ROLE_HELP: Record<ColumnRole, string> = {
  ID: 'subject identifier',
  TIME: 'time, hours',
  DV: 'observed value',
  AMT: 'dose amount, mg',
  EVID: 'event type (0 obs, 1 dose, …)',
  MDV: 'missing DV flag',
  CMT: 'compartment',
  DVID: 'endpoint (1 PK, 2 PD)',
  II: 'dosing interval, h',
  ADDL: 'additional doses',
  SS: 'steady-state flag',
  RATE: 'infusion rate, mg/h',
  BW: 'body weight, kg',
  COMED: 'concomitant medication, 0/1',
  DOSE: 'dose group, mg',
};

/**
 * When a file's column names cannot be inferred, the user says which column plays which role
 * and the file is read again (the CLI's `--columns ROLE=NAME,...` does the same).
 */
export function ColumnMappingForm() {
  const preview = useWorkbench((s) => s.preview);
  const fileText = useWorkbench((s) => s.fileText);
  const current = useWorkbench((s) => s.mapping);
  const remap = useWorkbench((s) => s.remap);
  const [mapping, setMapping] = useState<Partial<ColumnMapping>>(current);
  if (!preview || fileText === null || preview.columns.length === 0) return null;
  return (
    <section className="card" aria-labelledby="mapping-title" data-testid="column-mapping">
      <h2 id="mapping-title">Map the columns</h2>
      <p className="muted small">
        Roles left on “automatic” are recognised from the column names (case-insensitive; WT or
        WEIGHT for BW, and so on).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void remap(mapping);
        }}
      >
        <div className="stats">
          {COLUMN_ROLES.map((role) => (
            <label key={role} className="field small">
              <span>
                {role} <span className="muted">({ROLE_HELP[role]})</span>
              </span>
              <select
                value={mapping[role] ?? ''}
                data-testid={`map-${role}`}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setMapping((m) => {
                    const next = { ...m };
                    if (v) next[role] = v;
                    else delete next[role];
                    return next;
                  });
                }}
              >
                <option value="">automatic</option>
                {preview.columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
        <button type="submit" style={{ marginTop: '0.6rem' }} data-testid="apply-mapping">
          Read the file again with this mapping
        </button>
      </form>
    </section>
  );
}
