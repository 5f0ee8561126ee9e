/**
 * The target function of contrastive learning: one uniform signature for every loss that can
 * train a model. A proxy task (src/methods/) turns a batch into embeddings of V views of the same
 * N samples (row i of every view comes from sample i: the positives) plus, where the negatives do
 * not come from the batch itself, a set of extra negatives (a MoCo queue, memory-bank rows); the
 * target scores them. The losses' own functions (ntXentLoss, infoNceLoss, ...) keep their
 * specific signatures; a `TargetFunction` adapts one of them.
 */
import type * as tf from '../tf.js';
import type { Rng } from '../random.js';

/** Where a target's negatives come from. */
export type NegativeSource = 'batch' | 'queue' | 'bank';
export const NEGATIVE_SOURCES: readonly NegativeSource[] = ['batch', 'queue', 'bank'];

/** What a proxy task hands a target function. */
export interface TargetInput {
  /** V >= 2 tensors [N, D]: view 0 holds the anchors (queries), the others their positives, row by row. */
  views: tf.Tensor2D[];
  /** [K, D] negatives shared by every anchor (a queue's or a bank's rows): data, not differentiated. Absent for batch negatives. */
  negatives?: tf.Tensor2D;
  /** The step's generator (random negative mining). */
  rng: Rng;
}

/** A loss in the uniform signature: a scalar, differentiable w.r.t. the views. */
export type TargetFunction = (input: TargetInput) => tf.Scalar;
