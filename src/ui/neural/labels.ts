import type { NeuralConfig } from '../../core/neural/types';

/** Names and one-line explanations of the neural settings' choices, shared by the panels. */
export const FRAMEWORK_INFO: Record<NeuralConfig['framework'], { label: string; hint: string }> = {
  independent: {
    label: 'Independent',
    hint: 'Two networks: one predicts concentrations, the other the biomarker.',
  },
  cascade: {
    label: 'Cascade',
    hint: 'The biomarker network also receives the predicted concentration at the same time (the same prediction in training and in use).',
  },
  multitask: {
    label: 'Multi-task',
    hint: 'One shared encoder with a concentration head and a biomarker head.',
  },
};

export const ENCODER_INFO: Record<NeuralConfig['encoder'], { label: string; hint: string }> = {
  mlp: { label: 'MLP', hint: 'Plain hidden layers with GELU.' },
  resmlp: { label: 'ResMLP', hint: 'Pre-LayerNorm residual blocks: deeper, stable training.' },
  moe: {
    label: 'MoE',
    hint: 'A mixture of experts: a gate routes each row to its top-k experts, with a load-balancing loss.',
  },
  resmlp_moe: { label: 'ResMLP+MoE', hint: 'Residual blocks interleaved with expert blocks.' },
  qnn: {
    label: 'QNN',
    hint: 'An MLP whose hidden layers are hybrid quantum layers: Linear → simulated circuit → readout → Linear, with an optional classical skip.',
  },
  qresmlp_moe: {
    label: 'QNN-ResMLP+MoE',
    hint: "ResMLP+MoE whose residual MLPs are hybrid quantum layers (the seed's headline model).",
  },
  qnn_control: {
    label: 'QNN control',
    hint: 'The QNN with each circuit replaced by a classical layer of about as many parameters: what the circuit adds.',
  },
  qresmlp_moe_control: {
    label: 'QNN-ResMLP+MoE control',
    hint: 'QNN-ResMLP+MoE with each circuit replaced by a classical layer of about as many parameters.',
  },
};

export const READOUT_INFO: Record<NeuralConfig['readout'], { label: string; hint: string }> = {
  xyzzz: { label: '⟨X⟩⟨Y⟩⟨Z⟩⟨ZZ⟩', hint: '4 values per qubit (the seed).' },
  xyz: { label: '⟨X⟩⟨Y⟩⟨Z⟩', hint: '3 values per qubit.' },
  z: { label: '⟨Z⟩', hint: 'One value per qubit.' },
};

export const HEAD_INFO: Record<NeuralConfig['head'], { label: string; hint: string }> = {
  direct: {
    label: 'Direct',
    hint: 'The network outputs concentration and biomarker from dose-history features (the seed).',
  },
  parameters: {
    label: 'PK/PD parameters',
    hint: "The network maps a patient's covariates to the parameters of a compartmental PK/PD model, which the engine simulates: pharmacological structure, sensible extrapolation to new doses and intervals.",
  },
};
