import { parentPort } from 'node:worker_threads';
import { qnnBackward, type QnnShape } from '../src/core/quantum/fastQnn';

/**
 * One worker of the Node multi-worker QNN path (qnn.ts): it keeps the batch it was given and,
 * on each `run`, computes the gradient (and readouts) of its share of the samples.
 */
interface Setup {
  readonly kind: 'setup';
  readonly shape: QnnShape;
  readonly batch: number;
  readonly first: number;
  readonly count: number;
  readonly x: Float64Array;
  readonly w: Float64Array;
  readonly dy: Float64Array;
}

let setup: Setup | null = null;
let outputs: Float64Array | null = null;

parentPort?.on('message', (message: Setup | { kind: 'run' }) => {
  if (message.kind === 'setup') {
    setup = message;
    outputs = new Float64Array(message.batch * 4 * message.shape.nQubits);
    parentPort?.postMessage({ kind: 'ready' });
    return;
  }
  if (!setup || !outputs) throw new Error('qnnWorker: run before setup');
  const g = qnnBackward(setup.shape, setup.x, setup.w, setup.dy, setup.batch, {
    first: setup.first,
    count: setup.count,
    outputs,
  });
  parentPort?.postMessage({ kind: 'done', dw: g.dw });
});
