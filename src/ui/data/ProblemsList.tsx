import { useWorkbench } from '../../state/store';

/** Every problem with its line, column and value; the previous data set stays loaded. */
export function ProblemsList() {
  const problems = useWorkbench((s) => s.problems);
  const pendingName = useWorkbench((s) => s.pendingName);
  const dataset = useWorkbench((s) => s.dataset);
  const preview = useWorkbench((s) => s.preview);
  const problemLines = new Set(problems.map((p) => p.line));
  const problemCells = new Set(problems.map((p) => `${p.line}:${p.column ?? ''}`));
  return (
    <section className="alert error" role="alert" data-testid="import-problems">
      <strong>
        {pendingName ?? 'The file'} was not loaded: {problems.length} problem
        {problems.length === 1 ? '' : 's'} found.
      </strong>{' '}
      {dataset ? <span>The previously loaded data ({dataset.name}) stay active.</span> : null}
      <ul>
        {problems.slice(0, 200).map((p, i) => (
          <li key={i}>
            line {p.line}
            {p.column ? `, column ${p.column}` : ''}
            {p.value !== undefined ? `, value "${p.value}"` : ''}: {p.message}
          </li>
        ))}
      </ul>
      {problems.length > 200 ? <p>…and {problems.length - 200} more.</p> : null}
      {preview && preview.rows.length > 0 ? (
        <div
          className="table-scroll"
          style={{ marginTop: '0.6rem', maxHeight: 260, background: '#fff' }}
        >
          <table className="data" aria-label="First rows of the file, problems highlighted">
            <thead>
              <tr>
                <th>line</th>
                {preview.columns.map((c, i) => (
                  <th key={i}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row, r) => {
                // Preview rows follow the header, so row r sits on line r + 2.
                const line = r + 2;
                return (
                  <tr key={r} className={problemLines.has(line) ? 'problem' : undefined}>
                    <td>{line}</td>
                    {row.map((v, c) => (
                      <td
                        key={c}
                        className={
                          problemCells.has(`${line}:${preview.columns[c]}`)
                            ? 'problem-cell'
                            : undefined
                        }
                      >
                        {v}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
