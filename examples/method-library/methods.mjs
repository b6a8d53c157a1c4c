// The methods the comparison runs, each as the strategies it adds beside the student's own task.ce, with the
// weights of the method's reference code (its CIFAR settings), not tuned here. Layer names: the zoo teacher
// `teacher` (ResNet-8: _stage1 28×28×16, _stage2 14×14×32, _stage3 7×7×64, _pool 64) and the CNN student
// `student` (_conv1 28×28×4, _pool1 14×14×4, _conv2 14×14×8, _pool2 7×7×8, _dense 16).
export const methods = [
  {
    key: 'response.kd',
    note: 'Hinton KD, T = 4, α = 0.9 (RepDistiller)',
    strategies: [
      { key: 'response.kd', weight: 0.9, options: { temperature: 4 } },
      { key: 'task.ce', weight: 0.1 },
    ],
  },
  {
    key: 'response.kd (standardize)',
    note: 'KD + logit standardization, T = 2, KD weight 9, CE 0.1 (Sun et al. 2024)',
    strategies: [
      { key: 'response.kd', weight: 9, options: { temperature: 2, standardize: true } },
      { key: 'task.ce', weight: 0.1 },
    ],
  },
  {
    key: 'response.dkd',
    note: 'α = 1, β = 8, T = 4, CE 1 (mdistiller); warm-up 1 epoch for the short budget',
    strategies: [
      { key: 'response.dkd', weight: 1, options: { alpha: 1, beta: 8, temperature: 4, warmupEpochs: 1 } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'response.dist',
    note: 'β = γ = 2, T = 4, CE 1 (DIST_KD CIFAR)',
    strategies: [
      { key: 'response.dist', weight: 1, options: { beta: 2, gamma: 2, temperature: 4 } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'response.ctkd',
    note: 'global τ in (1, 21), λ over 10 epochs, KD 0.9, CE 0.1 (CTKD CIFAR)',
    strategies: [
      { key: 'response.ctkd', weight: 0.9 },
      { key: 'task.ce', weight: 0.1 },
    ],
  },
  {
    key: 'response.tfkd',
    note: 'no teacher: a = 0.99, τ = 20, weight 10, CE 0.9 (Tf-KD reference)',
    strategies: [
      { key: 'response.tfkd', weight: 10 },
      { key: 'task.ce', weight: 0.9 },
    ],
  },
  {
    key: 'relation.rkd',
    note: 'penultimate embeddings, 25 · distance + 50 · angle, weight 1, CE 1',
    strategies: [
      { key: 'relation.rkd', weight: 1, options: { pairs: [{ student: 'student_dense', teacher: 'teacher_pool' }] } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'relation.pkt',
    note: 'penultimate embeddings, weight 30000, CE 1 (RepDistiller)',
    strategies: [
      { key: 'relation.pkt', weight: 30000, options: { pairs: [{ student: 'student_dense', teacher: 'teacher_pool' }] } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'relation.sp',
    note: 'last maps (7×7), weight 3000, CE 1 (RepDistiller)',
    strategies: [
      { key: 'relation.sp', weight: 3000, options: { pairs: [{ student: 'student_pool2', teacher: 'teacher_stage3' }] } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'relation.nst',
    note: '14×14 maps, weight 50, CE 1 (RepDistiller)',
    strategies: [
      { key: 'relation.nst', weight: 50, options: { pairs: [{ student: 'student_conv2', teacher: 'teacher_stage2' }] } },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'relation.fsp',
    note: 'conv1→conv2 against stage1→stage2 through 1×1 adapters, weight 50, CE 1, trained together (no pre-training stage)',
    strategies: [
      {
        key: 'relation.fsp',
        weight: 50,
        options: { pairs: [{ student: ['student_conv1', 'student_conv2'], teacher: ['teacher_stage1', 'teacher_stage2'] }] },
      },
      { key: 'task.ce', weight: 1 },
    ],
  },
  {
    key: 'relation.cc',
    note: 'penultimate embeddings, γ = 0.4, P = 2, weight 1, CE 1 (untuned: RepDistiller’s 0.02 is for another CC loss)',
    strategies: [
      { key: 'relation.cc', weight: 1, options: { pairs: [{ student: 'student_dense', teacher: 'teacher_pool' }] } },
      { key: 'task.ce', weight: 1 },
    ],
  },
];
