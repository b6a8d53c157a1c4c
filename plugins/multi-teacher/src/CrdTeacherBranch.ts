import { type DistillationContext, findTeacherOutputs, type TapShapes } from '@distillery/core';
import { ContrastMemory, crdNceLoss, drawNegatives, EmbeddingHead, embeddingInputSize } from '@distillery/plugin-contrastive';
import * as tf from '@tensorflow/tfjs-core';
import type { CrdTeacherBranchOptions } from './CrdTeacherBranchOptions.js';

/**
 * One teacher's part of `multi.crd`: what `contrastive.crd` keeps for its one teacher (Tian, Krishnan, Isola 2020),
 * kept once per teacher. A student head and a teacher head (`EmbeddingHead`, trained), the two memory banks and Z
 * constants (`ContrastMemory`, strategy state), and the branch's own stream of negatives. `perExampleLosses` gives
 * each example's NCE term on both sides, [B] each (`crdNceLoss` with reduction 'none'); `update` moves both banks'
 * rows of the batch, as `contrastive.crd` does after its loss.
 */
export class CrdTeacherBranch {
  private heads: { readonly student: EmbeddingHead; readonly teacher: EmbeddingHead } | undefined;
  private memory: ContrastMemory | undefined;

  constructor(private readonly options: CrdTeacherBranchOptions) {}

  /** The teacher this branch learns from. */
  get teacher(): string {
    return this.options.teacher;
  }

  /** Makes both heads for the tapped layers' static shapes (again, if called again). */
  build(shapes: TapShapes): void {
    const { teacher, studentLayer, teacherLayer, featureDim, path, variableName } = this.options;
    this.disposeHeads();
    const studentSize = embeddingInputSize(
      shapes.student[studentLayer] ?? [],
      `${path}.student`,
      `student layer '${studentLayer}'`,
    );
    const teacherSize = embeddingInputSize(
      shapes.teachers[teacher]?.[teacherLayer] ?? [],
      `${path}.teacherLayer`,
      `teacher '${teacher}' layer '${teacherLayer}'`,
    );
    const head = (side: 'student' | 'teacher', inputSize: number) =>
      new EmbeddingHead({
        inputSize,
        outputSize: featureDim,
        seed: `${this.seedPrefix}/head/${side}`,
        variableName: (local) => variableName(`${side}/${local}`),
      });
    this.heads = { student: head('student', studentSize), teacher: head('teacher', teacherSize) };
  }

  /** The heads' variables, trained with the student: the student head's kernel and bias, then the teacher head's. */
  variables(): readonly tf.Variable[] {
    return this.heads === undefined ? [] : [...this.heads.student.variables(), ...this.heads.teacher.variables()];
  }

  /** Makes the memories for a training set of `size` examples, or keeps them (Z to be rechecked) if they fit. */
  prepare(size: number): void {
    if (this.memory?.size === size) {
      this.memory.recheck();
      return;
    }
    this.memory?.dispose();
    this.memory = new ContrastMemory({
      size,
      featureDim: this.options.featureDim,
      seed: `${this.seedPrefix}/memory`,
      variableName: this.options.variableName,
    });
  }

  /** The memories' state, in checkpoint order: the student's bank, the teacher's bank, [Z_student, Z_teacher]. */
  state(): readonly tf.Variable[] {
    return this.memory?.state() ?? [];
  }

  /** N, the rows of each memory; throws, naming `what` was called too early, before `build` and `prepare`. */
  sizeFor(what: string): number {
    return this.ready(what).memory.size;
  }

  /**
   * Each example's CRD terms [B] for this teacher: `student`, the student's embedding scored against the teacher's
   * bank, and `teacher`, the teacher's against the student's; each is `crdNceLoss` per example, so its batch mean is
   * the side's term in `contrastive.crd`. The caller owns both.
   */
  perExampleLosses(
    batch: DistillationContext,
    indices: Int32Array,
    settings: { readonly negatives: number; readonly temperature: number },
  ): { readonly student: tf.Tensor1D; readonly teacher: tf.Tensor1D } {
    const { heads, memory } = this.ready('loss()');
    const drawn = this.draw(indices, memory.size, batch.step, settings.negatives);
    return tf.tidy(() => {
      const embeddings = this.embed(batch, heads);
      const scores = memory.scores(embeddings.student, embeddings.teacher, drawn, settings.temperature);
      const perExample = (side: tf.Tensor2D) => crdNceLoss(side, { datasetSize: memory.size, reduction: 'none' });
      return { student: perExample(scores.student), teacher: perExample(scores.teacher) };
    });
  }

  /** Moves both banks' rows at `indices` towards this step's embeddings (and sets Z on the first step). */
  update(
    batch: DistillationContext,
    indices: Int32Array,
    settings: { readonly negatives: number; readonly temperature: number; readonly momentum: number },
  ): void {
    const { heads, memory } = this.ready('update()');
    tf.tidy(() => {
      // The heads have not moved since the loss (the optimizer steps after update): these are the embeddings it scored.
      const embeddings = this.embed(batch, heads);
      const redraw = () => this.draw(indices, memory.size, batch.step, settings.negatives);
      memory.update(embeddings.student, embeddings.teacher, indices, redraw, settings);
    });
  }

  dispose(): void {
    this.disposeHeads();
    this.memory?.dispose();
    this.memory = undefined;
  }

  /** `contrastive.crd`'s seed strings, extended by the stream when there is one. */
  private get seedPrefix(): string {
    const { seed, stream } = this.options;
    return stream === undefined ? `${seed}/contrastive.crd` : `${seed}/contrastive.crd/${stream}`;
  }

  private draw(indices: Int32Array, size: number, step: number, negatives: number): Int32Array {
    const { seed, stream } = this.options;
    return drawNegatives(indices, { k: negatives, datasetSize: size, seed, step, ...(stream === undefined ? {} : { stream }) });
  }

  private embed(batch: DistillationContext, heads: NonNullable<CrdTeacherBranch['heads']>) {
    const { key, teacher, studentLayer, teacherLayer } = this.options;
    const studentFeature = batch.student.features[studentLayer];
    const teacherFeature = findTeacherOutputs(batch, teacher, key).features[teacherLayer];
    if (studentFeature === undefined || teacherFeature === undefined) {
      throw new Error(`${key}: the kernel did not tap '${studentLayer}' or '${teacher}' layer '${teacherLayer}'`);
    }
    return { student: heads.student.apply(studentFeature), teacher: heads.teacher.apply(teacherFeature) };
  }

  private ready(what: string) {
    const { key, teacher } = this.options;
    if (this.heads === undefined) throw new Error(`${key}: ${what} called before build() (teacher '${teacher}')`);
    if (this.memory === undefined) throw new Error(`${key}: ${what} called before prepare() (teacher '${teacher}')`);
    return { heads: this.heads, memory: this.memory };
  }

  private disposeHeads(): void {
    this.heads?.student.dispose();
    this.heads?.teacher.dispose();
    this.heads = undefined;
  }
}
