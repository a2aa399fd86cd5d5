/**
 * The encoder backbones (input width d → hidden h) that both heads use: the classical ones of
 * the seed (mlp, resmlp, moe, resmlp_moe), its hybrid quantum ones (qnn, qresmlp_moe) and
 * their parameter-matched classical controls.
 */
import * as tf from '@tensorflow/tfjs';
import {
  dropout,
  gelu,
  layerNorm,
  linear,
  mixtureOfExperts,
  residualBlock,
  residualMoeBlock,
  sequence,
  type Forward,
  type ParamSet,
} from './netLayers';
import { hybridLayer } from './netQuantum';
import type { NeuralConfig } from './types';

/**
 * The encoder backbone named by config.encoder, input width d → config.hidden:
 * - mlp: `blocks` (at least 1) × [Linear, GELU, dropout].
 * - resmlp: Linear d→h, `blocks` pre-LayerNorm residual blocks, final LayerNorm.
 * - moe: Linear d→h, GELU, one mixture-of-experts block.
 * - resmlp_moe: Linear d→h, `blocks` (at least 1) × [residual block, residual MoE block], final
 *   LayerNorm.
 * - qnn: mlp whose hidden layers are hybrid quantum layers (netQuantum.ts): `blocks` (at
 *   least 1) × [hybrid layer, GELU, dropout].
 * - qresmlp_moe: resmlp_moe whose residual MLPs are hybrid layers (the seed's headline model).
 * - qnn_control, qresmlp_moe_control: the same with each circuit replaced by a classical layer
 *   of about as many parameters (the parameter-matched control).
 * Both heads use it: the direct head on the features, the parameter head on the covariates.
 */
export function defineEncoder(
  ps: ParamSet,
  name: string,
  config: NeuralConfig,
  d: number,
): Forward {
  const h = config.hidden;
  const blocks = config.blocks;
  switch (config.encoder) {
    case 'mlp': {
      const layers: Forward[] = [];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        const fc = linear(ps, `${name}/fc${i}`, i === 0 ? d : h, h);
        layers.push((x, ctx) => dropout(gelu(fc(x, ctx)), ctx));
      }
      return sequence(...layers);
    }
    case 'resmlp': {
      const layers: Forward[] = [linear(ps, `${name}/in`, d, h)];
      for (let i = 0; i < blocks; i++) layers.push(residualBlock(ps, `${name}/block${i}`, h));
      layers.push(layerNorm(ps, `${name}/ln`, h));
      return sequence(...layers);
    }
    case 'moe': {
      const input = linear(ps, `${name}/in`, d, h);
      const moe = mixtureOfExperts(ps, `${name}/moe`, h, config.experts, config.topK);
      return (x, ctx) => moe(gelu(input(x, ctx)), ctx);
    }
    case 'resmlp_moe': {
      const layers: Forward[] = [linear(ps, `${name}/in`, d, h)];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        layers.push(residualBlock(ps, `${name}/block${i}`, h));
        layers.push(residualMoeBlock(ps, `${name}/moe${i}`, h, config.experts, config.topK));
      }
      layers.push(layerNorm(ps, `${name}/ln`, h));
      return sequence(...layers);
    }
    case 'qnn':
    case 'qnn_control': {
      const control = config.encoder === 'qnn_control';
      const layers: Forward[] = [];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        const hybrid = hybridLayer(ps, `${name}/hybrid${i}`, i === 0 ? d : h, h, config, control);
        layers.push((x, ctx) => dropout(gelu(hybrid(x, ctx)), ctx));
      }
      return sequence(...layers);
    }
    case 'qresmlp_moe':
    case 'qresmlp_moe_control': {
      const control = config.encoder === 'qresmlp_moe_control';
      const layers: Forward[] = [linear(ps, `${name}/in`, d, h)];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        layers.push(hybridResidualBlock(ps, `${name}/block${i}`, h, config, control));
        layers.push(residualMoeBlock(ps, `${name}/moe${i}`, h, config.experts, config.topK));
      }
      layers.push(layerNorm(ps, `${name}/ln`, h));
      return sequence(...layers);
    }
  }
}

/** Pre-LayerNorm residual block whose MLP is a hybrid layer: x + dropout(hybrid(LN(x))). */
function hybridResidualBlock(
  ps: ParamSet,
  name: string,
  width: number,
  config: NeuralConfig,
  control: boolean,
): Forward {
  const norm = layerNorm(ps, `${name}/ln`, width);
  const hybrid = hybridLayer(ps, `${name}/hybrid`, width, width, config, control);
  return (x, ctx) => tf.add(x, dropout(hybrid(norm(x, ctx), ctx), ctx));
}
