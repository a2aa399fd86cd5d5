import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  chooseTrainingBackend,
  tfjsEnvironment,
  type BackendEnvironment,
  type TrainingBackend,
} from './neuralBackend';

/**
 * A browser described by what it offers and which backends fail to start (with their
 * message); it records the backends it was asked to start, in order.
 */
function browser(
  offered: readonly TrainingBackend[],
  broken: Partial<Record<TrainingBackend, string>> = {},
): BackendEnvironment & { tried: TrainingBackend[] } {
  const tried: TrainingBackend[] = [];
  return {
    tried,
    offers: (name) => offered.includes(name),
    activate: async (name) => {
      tried.push(name);
      return broken[name] ?? null;
    },
  };
}

describe('chooseTrainingBackend', () => {
  it('auto takes WebGPU where it runs, and says nothing', async () => {
    const env = browser(['webgpu', 'webgl', 'cpu']);
    expect(await chooseTrainingBackend('auto', env)).toEqual({ name: 'webgpu', reason: '' });
    expect(env.tried).toEqual(['webgpu']);
  });

  it('auto falls back to WebGL without navigator.gpu, and to the CPU without a canvas', async () => {
    const noGpu = browser(['webgl', 'cpu']);
    expect(await chooseTrainingBackend('auto', noGpu)).toEqual({
      name: 'webgl',
      reason: 'WebGPU is not available in this browser; training on WebGL.',
    });
    // Nothing the browser lacks is started.
    expect(noGpu.tried).toEqual(['webgl']);
    const neither = browser(['cpu']);
    expect(await chooseTrainingBackend('auto', neither)).toEqual({
      name: 'cpu',
      reason: 'WebGPU and WebGL are not available in this browser; training on the CPU.',
    });
  });

  it('auto moves on when a backend is offered but fails to start, and says why', async () => {
    const env = browser(['webgpu', 'webgl', 'cpu'], {
      webgpu: 'no adapter',
      webgl: 'no WebGL2 context',
    });
    const chosen = await chooseTrainingBackend('auto', env);
    expect(chosen.name).toBe('cpu');
    expect(chosen.reason).toBe(
      'WebGPU could not start (no adapter) and WebGL could not start (no WebGL2 context); training on the CPU.',
    );
    expect(env.tried).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('a chosen backend runs when it can, and says it was chosen', async () => {
    const env = browser(['webgpu', 'webgl', 'cpu']);
    expect(await chooseTrainingBackend('webgl', env)).toEqual({
      name: 'webgl',
      reason: 'WebGL was chosen; training on WebGL.',
    });
    expect(await chooseTrainingBackend('cpu', env)).toEqual({
      name: 'cpu',
      reason: 'The CPU was chosen; training on the CPU.',
    });
    expect(await chooseTrainingBackend('webgpu', env)).toEqual({ name: 'webgpu', reason: '' });
  });

  it('a chosen backend that fails falls back down the order, never up', async () => {
    const noGpu = browser(['webgl', 'cpu']);
    expect(await chooseTrainingBackend('webgpu', noGpu)).toEqual({
      name: 'webgl',
      reason: 'WebGPU is not available in this browser; training on WebGL.',
    });
    const brokenGl = browser(['webgpu', 'webgl', 'cpu'], { webgl: 'context lost' });
    expect(await chooseTrainingBackend('webgl', brokenGl)).toEqual({
      name: 'cpu',
      reason: 'WebGL could not start (context lost); training on the CPU.',
    });
    expect(brokenGl.tried).toEqual(['webgl', 'cpu']);
  });

  it('throws in plain words when not even the CPU starts', async () => {
    const env = browser(['cpu'], { cpu: 'out of memory' });
    await expect(chooseTrainingBackend('auto', env)).rejects.toThrow(
      'No backend could train the network: WebGPU and WebGL are not available in this browser and the CPU could not start (out of memory).',
    );
  });

  it('in Node (no navigator.gpu, no canvas) the real environment trains on the CPU', async () => {
    expect(tfjsEnvironment.offers('webgpu')).toBe(false);
    expect(tfjsEnvironment.offers('webgl')).toBe(false);
    const chosen = await chooseTrainingBackend('webgpu');
    expect(chosen.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
