/**
 * The kNN protocols evaluation reports. NPID's k = 200, σ = 0.1 was set for 50,000 labelled
 * ImageNet-scale rows; with the 40 to 600 labelled rows of a 1% split it lets every labelled row
 * vote, so crowded similarities decide by class frequency (issue 18: the random encoder scored
 * 12.3% on a 10-class set at 1%). DINO (Caron et al. 2021, arXiv:2104.14294, §4.1 and appendix)
 * reports a weighted kNN with k = 20 and T = 0.07, as solo-learn's kNN callback does; it stays a
 * local vote at every label count, so it is the main figure (`knn`) for every feature set. The
 * NPID figure is reported beside it (`knn200`) where the labelled set is large enough for the
 * comparison with papers to mean something.
 */
import type { KnnOptions } from './knn.js';

/** One kNN protocol: its k, its vote temperature and where it comes from. */
export interface KnnProtocol {
  k: number;
  temperature: number;
  source: string;
}

/** The main kNN figure at every label count. */
export const KNN_PROTOCOL: KnnProtocol = { k: 20, temperature: 0.07, source: 'DINO (arXiv:2104.14294): weighted kNN, k = 20, T = 0.07' };

/** The NPID figure, for comparison with papers, where at least `minLabelledRows` rows are labelled. */
export const KNN_PAPER_PROTOCOL: KnnProtocol & { minLabelledRows: number } = {
  k: 200,
  temperature: 0.1,
  source: 'NPID (arXiv:1805.01978): weighted kNN, k = 200, σ = 0.1',
  // 25 x k: every class of a 10-class set keeps over 2 x k rows, and k is under 4% of the set
  minLabelledRows: 5000,
};

/** KnnOptions of a protocol. */
export function knnOptions(p: KnnProtocol): Pick<KnnOptions, 'k' | 'temperature'> {
  return { k: p.k, temperature: p.temperature };
}
