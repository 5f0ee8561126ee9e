/**
 * Evaluation of a representation of unlabelled data: what needs no labels. Alignment and
 * uniformity of two augmented views (Wang & Isola 2020), the collapse signal `embeddingStd`,
 * and k-means on the L2-normalised features (cluster sizes, sorted largest first, and inertia:
 * a few giant clusters, or an inertia near 0, mean the embeddings crowd together).
 */
import type { FeatureArray } from './features.js';
import { alignmentUniformity } from './alignment-uniformity.js';
import { embeddingStd } from './embedding-std.js';
import { kmeans } from './kmeans.js';
import { assertInteger } from '../validate.js';

export interface UnlabelledReport {
  /** Rows evaluated. */
  rows: number;
  alignment: number;
  uniformity: number;
  embeddingStd: number;
  kmeans: {
    k: number;
    /** Rows per cluster, largest first. */
    sizes: number[];
    /** Sum of squared distances of the normalised rows to their centre. */
    inertia: number;
  };
}

export interface EvaluateUnlabelledOptions {
  /** Features of the evaluated rows `[N, D]`. */
  features: FeatureArray;
  /** Two augmented views' features of (some of) the rows: positive pairs. */
  positivePairs: { x: FeatureArray; y: FeatureArray };
  /** k-means clusters. @default 10 (capped at the rows) */
  k?: number;
  /** Seed of k-means and of the uniformity subset. @default 0 */
  seed?: number;
}

export async function evaluateUnlabelled(o: EvaluateUnlabelledOptions): Promise<UnlabelledReport> {
  const { features: f, seed = 0 } = o;
  const rows = f.data.length / f.dim;
  const k = Math.min(o.k ?? 10, rows);
  assertInteger(k, 'evaluateUnlabelled', 'k');
  const { alignment, uniformity } = await alignmentUniformity(o.positivePairs.x, o.positivePairs.y, { seed });
  const unit = new Float32Array(f.data.length);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < f.dim; j++) s += f.data[i * f.dim + j]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < f.dim; j++) unit[i * f.dim + j] = f.data[i * f.dim + j]! * inv;
  }
  const km = await kmeans({ data: unit, dim: f.dim }, { k, seed });
  const sizes = new Array<number>(k).fill(0);
  for (const a of km.assignments) sizes[a]!++;
  sizes.sort((a, b) => b - a);
  return { rows, alignment, uniformity, embeddingStd: await embeddingStd(f), kmeans: { k, sizes, inertia: km.inertia } };
}

/** The human-readable form. */
export function formatUnlabelledReport(r: UnlabelledReport): string {
  return [
    `unlabelled data (${r.rows} rows): no probes or accuracies, only what needs no labels`,
    `alignment ${r.alignment.toFixed(3)} (lower is better), uniformity ${r.uniformity.toFixed(3)} (lower is better)`,
    `embedding std ${r.embeddingStd.toFixed(4)} (collapse signal: 0 when collapsed, about ${(1).toFixed(0)}/sqrt(D) when spread)`,
    `k-means (k = ${r.kmeans.k}) on normalised features: inertia ${r.kmeans.inertia.toFixed(2)}, cluster sizes ${r.kmeans.sizes.join(', ')}`,
  ].join('\n');
}
