import { useId, useMemo, useRef, useState } from 'react';
import * as ToggleGroup from '@radix-ui/react-toggle-group';
import { comparePlan } from '../../core/compare/profiles';
import type { CompareProfileName } from '../../core/compare/types';
import { useWorkbench } from '../../state/store';
import {
  buildComparePlan,
  compareDataLabel,
  isCompareThreshold,
  isCompareWorkers,
  isHalfDone,
  MAX_COMPARE_WORKERS,
  pendingTasks,
  type CompareThresholdDirection,
} from '../../state/compareSweep';
import { ChoiceField } from '../components/ChoiceField';
import { NumberInput } from '../components/NumberInput';
import { planWords } from './compareView';

const PROFILES: readonly { value: CompareProfileName; label: string }[] = [
  { value: 'quick', label: 'Quick' },
  { value: 'full', label: 'Full' },
];

const PROFILE_HINTS: Record<CompareProfileName, string> = {
  quick: 'Few folds, one seed, short training: about 5 minutes on this machine.',
  full: 'Every model over 5 folds × 3 seeds with full training (about an hour and a half with two workers on a busy 2-core laptop), then the qubits × layers grid over 5 folds (hours more: 12-qubit circuits are slow to simulate). It can be paused, and resumes after a reload.',
};

const DIRECTIONS: readonly { value: CompareThresholdDirection; label: string }[] = [
  { value: 'below', label: 'Below' },
  { value: 'above', label: 'Above' },
];

/** What the comparison runs on and with, and the button that starts a new one. */
export function CompareSetupCard() {
  const id = useId();
  const dataset = useWorkbench((s) => s.dataset);
  const source = useWorkbench((s) => s.source);
  const subjects = useWorkbench((s) => s.summary?.subjects);
  const dataStatus = useWorkbench((s) => s.status);
  const settings = useWorkbench((s) => s.compareSettings);
  const setSettings = useWorkbench((s) => s.setCompareSettings);
  const sweep = useWorkbench((s) => s.compareSweep);
  const status = useWorkbench((s) => s.compareStatus);
  const start = useWorkbench((s) => s.startCompare);
  const openCells = useWorkbench((s) => s.openCompareCells);
  /** What waits for the user to confirm discarding a half-done sweep: a start, or a file. */
  const [confirming, setConfirming] = useState<
    null | { kind: 'start' } | { kind: 'open'; text: string; name: string }
  >(null);
  const [openProblem, setOpenProblem] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const cores = globalThis.navigator?.hardwareConcurrency;
  const dataLabel = dataset ? compareDataLabel(source, dataset) : null;
  const planned = useMemo(() => {
    if (!dataset || !dataLabel) return null;
    try {
      return { plan: buildComparePlan(comparePlan, dataset, dataLabel, settings), problem: null };
    } catch (err) {
      return { plan: null, problem: err instanceof Error ? err.message : String(err) };
    }
  }, [dataset, dataLabel, settings]);
  const running = status === 'running';
  const halfDone = isHalfDone(sweep);
  const canStart =
    dataset !== null && !running && isCompareThreshold(settings.threshold) && !planned?.problem;
  const onStart = () => {
    setOpenProblem(null);
    if (halfDone) setConfirming({ kind: 'start' });
    else void start();
  };
  const open = async (text: string, name: string) => {
    setOpenProblem(await openCells(text, name));
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setOpenProblem(null);
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      setOpenProblem(
        `${file.name} could not be read (${err instanceof Error ? err.message : String(err)}).`,
      );
      return;
    }
    if (halfDone) setConfirming({ kind: 'open', text, name: file.name });
    else await open(text, file.name);
  };
  return (
    <section
      className="card compare-setup"
      aria-labelledby={`${id}-title`}
      data-testid="compare-setup"
    >
      <h2 id={`${id}-title`}>Compare models</h2>
      <p className="small" data-testid="compare-data">
        {dataset && dataLabel ? (
          <>
            Runs on <strong>{dataLabel}</strong>
            {subjects !== undefined ? ` · ${subjects} subjects` : ''}: every model is trained on the
            same subject-level folds and scored on the subjects it never saw.
          </>
        ) : dataStatus === 'loading' ? (
          'Loading the data…'
        ) : (
          'Load a data set (or the demo trial) in the Data panel first.'
        )}
      </p>
      <div className="compare-setup-grid">
        <ChoiceField
          label="Profile"
          value={settings.profile}
          options={PROFILES}
          onChange={(profile) => setSettings({ profile })}
          testId="compare-profile"
          disabled={running}
          hint={
            <>
              {PROFILE_HINTS[settings.profile]}
              {planned?.plan ? (
                <>
                  <br />
                  <span data-testid="compare-plan-size">{planWords(planned.plan)}</span>
                </>
              ) : null}
            </>
          }
        />
        <div className="field" role="group" aria-labelledby={`${id}-threshold`}>
          <span id={`${id}-threshold`}>Outcome: biomarker</span>
          <div className="row compare-threshold">
            <ToggleGroup.Root
              type="single"
              className="segmented"
              value={settings.direction}
              aria-label="Target side of the threshold"
              onValueChange={(v) => {
                if (v) setSettings({ direction: v as CompareThresholdDirection });
              }}
              disabled={running}
              data-testid="compare-direction"
            >
              {DIRECTIONS.map((o) => (
                <ToggleGroup.Item key={o.value} value={o.value}>
                  {o.label}
                </ToggleGroup.Item>
              ))}
            </ToggleGroup.Root>
            <NumberInput
              value={settings.threshold}
              onChange={(threshold) => setSettings({ threshold })}
              label="Outcome threshold (ng/mL)"
              isValid={isCompareThreshold}
              invalidHint="A positive concentration in ng/mL"
              disabled={running}
              testId="compare-threshold"
            />
            <span className="muted small">ng/mL</span>
          </div>
          <span className="muted small">
            Outcome accuracy: the share of held-out subjects whose biomarker over the last dosing
            interval is predicted on the same side of the threshold as observed.
          </span>
        </div>
      </div>
      <div className="field compare-workers">
        <span aria-hidden="true">Parallel workers</span>
        <div className="row">
          <NumberInput
            value={settings.workers}
            onChange={(workers) => setSettings({ workers })}
            label="Parallel workers"
            step={1}
            isValid={isCompareWorkers}
            invalidHint={`A whole number from 1 to ${MAX_COMPARE_WORKERS}`}
            disabled={running}
            testId="compare-workers"
          />
          <span className="muted small">
            {cores ? `of this computer's ${cores} cores` : ''} · tasks at a time, one core each
          </span>
        </div>
      </div>
      <p className="muted small compare-cpu-note">
        Runs in background workers on the CPU (the tfjs CPU backend), whatever the Compute badge
        says, so training and prediction times are this machine&apos;s CPU timings and compare like
        with like. More workers finish sooner on a machine with spare cores; the results are the
        same.
      </p>
      {planned?.problem ? (
        <div className="alert error small" role="alert">
          No comparison can be planned on this data: {planned.problem}
        </div>
      ) : null}
      {openProblem ? (
        <div className="alert error small" role="alert" data-testid="compare-open-problem">
          {openProblem}
        </div>
      ) : null}
      {confirming && halfDone && sweep ? (
        <div
          className="alert warn small compare-confirm"
          role="alertdialog"
          aria-labelledby={`${id}-confirm`}
        >
          <p id={`${id}-confirm`}>
            A comparison is half done ({sweep.cells.length} of {sweep.plan.tasks.length} tasks,{' '}
            {pendingTasks(sweep).length} to go).{' '}
            {confirming.kind === 'start'
              ? 'Starting a new one discards it.'
              : `Opening ${confirming.name} discards it.`}
          </p>
          <div className="row">
            <button
              type="button"
              className="secondary danger"
              onClick={() => {
                setConfirming(null);
                if (confirming.kind === 'start') void start();
                else void open(confirming.text, confirming.name);
              }}
              data-testid="compare-confirm-start"
            >
              {confirming.kind === 'start' ? 'Discard it and start' : 'Discard it and open'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setConfirming(null)}
              autoFocus
            >
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button type="button" onClick={onStart} disabled={!canStart} data-testid="compare-start">
            {sweep ? 'Start a new comparison' : 'Start comparison'}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => fileInput.current?.click()}
            disabled={dataset === null || running}
            title="A results file saved here, or written by the command line (compare --cells): its results are shown and Resume runs the tasks it lacks"
            data-testid="compare-open"
          >
            Open results file…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".jsonl,.json,application/x-ndjson"
            hidden
            aria-label="Results file to open"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              void onFile(file);
            }}
            data-testid="compare-open-file"
          />
          {sweep && sweep.plan.profile !== settings.profile ? (
            <span className="muted small">
              The current comparison keeps its own plan ({sweep.plan.profile} profile).
            </span>
          ) : null}
        </div>
      )}
    </section>
  );
}
