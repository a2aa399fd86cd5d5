import { useEffect, useMemo } from 'react';
import type { PkPdParameters } from '../../core/pkpd/types';
import { neuralPredictorOf } from '../../state/neuralModels';
import type { NeuralModelMeta } from '../../state/neuralStorage';
import { useWorkbench } from '../../state/store';
import { formatNumber } from '../charts/format';

/** Patients the table shows: the middle of the trained weights, without and with COMED. */
function patients(meta: NeuralModelMeta): { label: string; BW: number; COMED: number }[] {
  const [lo, hi] = meta.domain.bwRange;
  const bw =
    Number.isFinite(lo) && Number.isFinite(hi) && hi < 1e6 ? Math.round((lo + hi) / 2) : 70;
  return meta.domain.comedValues.map((c) => ({
    label: `${bw} kg, ${c === 1 ? 'COMED' : 'no COMED'}`,
    BW: bw,
    COMED: c,
  }));
}

function rows(p: PkPdParameters): { name: string; value: string }[] {
  const out = [
    { name: 'CL (L/h)', value: formatNumber(p.pk.CL, 3) },
    { name: 'V (L)', value: formatNumber(p.pk.V, 3) },
    { name: 'ka (1/h)', value: formatNumber(p.pk.ka ?? NaN, 3) },
    { name: 'half-life (h)', value: formatNumber((Math.LN2 * p.pk.V) / p.pk.CL, 3) },
  ];
  if (p.pd?.type === 'effect-compartment') {
    out.push(
      { name: 'E0 (ng/mL)', value: formatNumber(p.pd.baseline, 3) },
      { name: 'Emax (ng/mL)', value: formatNumber(p.pd.Emax, 3) },
      { name: 'EC50 (mg/L)', value: formatNumber(p.pd.EC50, 3) },
      { name: 'ke0 (1/h)', value: formatNumber(p.pd.ke0, 3) },
      { name: 'Hill', value: formatNumber(p.pd.hill ?? 1, 3) },
    );
  }
  return out;
}

/**
 * A parameter-head model's compartmental parameters for typical patients: what the network
 * learned, in the units a pharmacometrician reads.
 */
export function HeadParameters({ meta }: { meta: NeuralModelMeta }) {
  const loaded = useWorkbench((s) => s.neuralLoaded.includes(meta.id));
  const ensure = useWorkbench((s) => s.ensureNeuralPredictor);
  useEffect(() => {
    void ensure(meta.id);
  }, [ensure, meta.id]);
  const table = useMemo(() => {
    const predictor = loaded ? neuralPredictorOf(meta.id) : undefined;
    if (!predictor?.parameters) return null;
    try {
      return patients(meta).map((pt) => ({
        label: pt.label,
        rows: rows(
          (predictor.parameters as (c: Record<string, number>) => PkPdParameters)({
            BW: pt.BW,
            COMED: pt.COMED,
          }),
        ),
      }));
    } catch {
      return null;
    }
  }, [loaded, meta]);
  if (!table || table.length === 0) return null;
  return (
    <figure style={{ margin: '0.6rem 0' }} data-testid="neural-head-parameters">
      <figcaption className="small">
        <strong>What the network learned</strong>: the one-compartment oral PK and
        effect-compartment PD parameters it gives typical patients
        {meta.features.baseline ? ' (pre-dose biomarker at the training average)' : ''}.
      </figcaption>
      <table className="data small">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            {table.map((t) => (
              <th key={t.label} scope="col">
                {t.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table[0].rows.map((r, i) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              {table.map((t) => (
                <td key={t.label}>{t.rows[i].value}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
