import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { snap, trackErrors, trackOffMachineRequests } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

async function openCircuitTab(page: Page) {
  await page.getByRole('tab', { name: /Quantum circuit/ }).click();
  await expect(page.getByTestId('circuit-panel')).toBeVisible();
}

/** The text of a file the page downloads when `click` runs. */
async function downloaded(page: Page, click: () => Promise<void>) {
  const download = page.waitForEvent('download');
  await click();
  const d = await download;
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

test('draws the seed circuit, checks it against quantum volume, simulates it and exports OpenQASM', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  const off = trackOffMachineRequests(page);
  await openCircuitTab(page);

  // The default configuration is the Neural models settings' circuit: 4 qubits × 2 layers.
  const drawing = page.getByTestId('circuit-svg');
  await expect(drawing).toHaveAttribute('role', 'img');
  await expect(drawing).toHaveAttribute('aria-label', /4 wires.*2 layers.*8 CNOT/);
  await expect(page.getByTestId('circuit-wire')).toHaveCount(4);
  await expect(page.getByTestId('circuit-cnot')).toHaveCount(8);
  await expect(page.getByTestId('circuit-gate')).toHaveCount(24);
  await expect(page.getByTestId('circuit-stat-depth')).toHaveText('14');
  await expect(page.getByTestId('circuit-count-classical')).toHaveText('128');
  await expect(page.getByTestId('circuit-count-hybrid-quantum')).toHaveText('24');
  const verdict = page.getByTestId('circuit-qv-verdict');
  await expect(verdict).toHaveText(
    'Does not fit: QV 512 runs circuits of at most 9 qubits at depth 9; this one has 4 qubits at depth 14.',
  );
  await expect(page.getByTestId('circuit-hardware')).toContainText('ibm_fez');
  await snap(page, testInfo, 'circuit');

  // One layer of 4 qubits fits; 9 qubits do not, even with one layer (the ring is sequential).
  await page.getByTestId('circuit-layers').fill('1');
  await expect(verdict).toHaveText(/^Fits: .* this one has 4 qubits at depth 7\.$/);
  await page.getByTestId('circuit-qubits').fill('9');
  await expect(verdict).toHaveText(/^Does not fit: .* this one has 9 qubits at depth 12\.$/);
  await expect(page.getByTestId('circuit-wire')).toHaveCount(9);
  await expect(page.getByTestId('circuit-cnot')).toHaveCount(9);
  await page.getByTestId('circuit-qv').fill('4096');
  await expect(verdict).toHaveText(
    'Fits: QV 4,096 runs circuits of at most 12 qubits at depth 12; this one has 9 qubits at depth 12.',
  );

  // A slider moved with the keyboard changes the expectation values at once. (Not every one:
  // after the CNOT ring ⟨Z₀⟩ is ⟨Z₁⟩⋯⟨Z₈⟩ before it, which x₀ does not touch; ⟨X₀⟩ it does.)
  const x0 = page.getByTestId('circuit-readout-X-0');
  const before = await x0.innerText();
  const table = await page.getByTestId('circuit-readout-table').innerText();
  await page.getByTestId('circuit-input-0-slider').focus();
  await page.keyboard.press('PageUp');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('circuit-input-0')).toHaveValue('0.61');
  await expect(x0).not.toHaveText(before);
  expect(await page.getByTestId('circuit-readout-table').innerText()).not.toBe(table);
  await expect(page.getByTestId('circuit-readout-chart')).toBeVisible();

  // Export: the bound circuit as OpenQASM 2.0 and 3.0 files, made on this machine.
  const qasm2 = await downloaded(page, () => page.getByTestId('circuit-export-qasm2').click());
  expect(qasm2.name).toBe('hybrid-9q-1l-openqasm2.qasm');
  expect(qasm2.text.startsWith('OPENQASM 2.0;')).toBe(true);
  expect(qasm2.text).toContain('qreg q[9];');
  expect(qasm2.text).toContain('ry(0.61) q[0];');
  expect(qasm2.text.match(/^cx /gm)).toHaveLength(9);
  const qasm3 = await downloaded(page, () => page.getByTestId('circuit-export-qasm3').click());
  expect(qasm3.text.startsWith('OPENQASM 3.0;')).toBe(true);
  expect(qasm3.text).toContain('qubit[9] q;');
  await expect(page.getByTestId('circuit-qasm-preview')).toContainText('qreg q[9];');
  await page.getByRole('radio', { name: 'OpenQASM 3.0' }).click();
  await expect(page.getByTestId('circuit-qasm-preview')).toContainText('qubit[9] q;');

  // The choices survive a reload.
  await page.reload();
  await openCircuitTab(page);
  await expect(page.getByTestId('circuit-wire')).toHaveCount(9);
  await expect(page.getByTestId('circuit-input-0')).toHaveValue('0.61');
  await expect(page.getByTestId('circuit-qv')).toHaveValue('4096');

  // The Neural models settings are a click away.
  await page.getByTestId('circuit-use-neural').click();
  await expect(page.getByTestId('circuit-wire')).toHaveCount(4);
  await expect(page.getByTestId('circuit-use-neural')).toBeDisabled();
  expect(errors).toEqual([]);
  expect(off).toEqual([]);
});

test('the largest circuit stays drawn and simulated (12 qubits × 8 layers)', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await openCircuitTab(page);
  await page.getByTestId('circuit-qubits').fill('12');
  await page.getByTestId('circuit-layers').fill('8');
  await expect(page.getByTestId('circuit-wire')).toHaveCount(12);
  await expect(page.getByTestId('circuit-cnot')).toHaveCount(96);
  await expect(page.getByTestId('circuit-input-11')).toBeVisible();
  await expect(page.getByTestId('circuit-readout-ZZ-11')).toHaveText(/^-?\d\.\d{3}$/);
  await snap(page, testInfo, 'circuit-12x8');
  expect(errors).toEqual([]);
});

/** A model file of the workbench's format, as an import reads it, with these weights. */
function modelFile(
  id: string,
  label: string,
  weights: { name: string; shape: number[]; values: number[] }[],
) {
  return JSON.stringify({
    format: 'pkpd-workbench/neural-model',
    version: 1,
    id,
    label,
    createdAt: '2025-01-01T00:00:00.000Z',
    config: { encoder: 'qnn', framework: 'cascade', qubits: 3, qlayers: 2, readout: 'z' },
    features: {},
    scaler: {
      featureNames: ['BW'],
      features: [{ mean: 70, sd: 10 }],
      logTargets: false,
      pk: { mean: 1, sd: 1 },
      pd: { mean: 1, sd: 1 },
    },
    inputWidth: 1,
    domain: { doseRange: [0, 10], intervals: [24], bwRange: [50, 90], comedValues: [0, 1] },
    training: {
      dataLabel: 'test',
      backend: 'cpu',
      seconds: 1,
      epochs: 1,
      bestEpoch: 1,
      history: [],
      trainSubjects: [],
      validationSubjects: [],
      testSubjects: [],
      pkRmse: null,
      pdRmse: null,
      pkRows: 0,
      pdRows: 0,
    },
    weights: weights.map((w) => ({
      name: w.name,
      shape: w.shape,
      values: Buffer.from(new Float32Array(w.values).buffer).toString('base64'),
    })),
  });
}

test('shows a trained model’s circuits with their angles, and says why a model has none', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await openCircuitTab(page);
  await page.getByRole('radio', { name: 'Trained model' }).click();
  await expect(page.getByTestId('circuit-no-models')).toContainText('No trained hybrid models');

  // Two hybrid models come in as files: one with two circuits, one without any.
  const angles = (offset: number) => Array.from({ length: 18 }, (_, i) => offset + i / 100);
  await page.getByRole('tab', { name: /Neural models/ }).click();
  const files = [
    modelFile('neural-good', 'qnn with circuits', [
      { name: 'pk/hybrid0/circuit/angles', shape: [2, 3, 3], values: angles(0.1) },
      { name: 'pd/hybrid0/circuit/angles', shape: [2, 3, 3], values: angles(0.5) },
    ]),
    modelFile('neural-none', 'qnn without circuits', [
      { name: 'pk/in/w', shape: [1, 3], values: [1, 2, 3] },
    ]),
  ];
  for (const [i, text] of files.entries()) {
    await page.getByTestId('neural-import').setInputFiles({
      name: `model-${i}.json`,
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expect(page.getByTestId('neural-file-message')).toContainText(`Imported`);
  }

  await openCircuitTab(page);
  await page.getByTestId('circuit-model').selectOption({ label: 'qnn with circuits' });
  await expect(page.getByTestId('circuit-wire')).toHaveCount(3);
  await expect(page.getByTestId('circuit-cnot')).toHaveCount(6);
  await expect(page.getByTestId('circuit-drawing')).toContainText('trained angles of pk/hybrid0');
  await page.getByTestId('circuit-name').selectOption('pd/hybrid0');
  await expect(page.getByTestId('circuit-drawing')).toContainText('trained angles of pd/hybrid0');
  // The first Rot of the PD circuit holds its trained φ = 0.5 (hover text and angle table).
  await expect(
    page.locator('[data-testid="circuit-gate"][data-kind="Rot"] title').first(),
  ).toHaveText(/^Rot\(φ = 0\.500 rad, θ = 0\.510 rad, ω = 0\.520 rad\) on q0, layer 1/);
  // The readout is the model's: ⟨Z⟩ only.
  await expect(page.getByTestId('circuit-readout-Z-2')).toBeVisible();
  await expect(page.getByTestId('circuit-readout-X-0')).toHaveCount(0);
  await snap(page, testInfo, 'circuit-model');

  await page.getByTestId('circuit-model').selectOption({ label: 'qnn without circuits' });
  await expect(page.getByTestId('circuit-model-error')).toContainText(
    'has no circuit angles among its weights',
  );
  await expect(page.getByTestId('circuit-empty')).toBeVisible();
  expect(errors).toEqual([]);
});
