/**
 * Row-wise top-k of a row-major matrix in plain JS: a size-k min-heap per row, so each value costs
 * one comparison once the heap is full. Used by the kNN classifier where the backend's TopK kernel
 * is the CPU reference one (which allocates an object per value and is ~10x slower).
 */

/**
 * The `k` largest values of each of the `rows` rows of `values` (`[rows, cols]`) and their column
 * indices, `[rows, k]` each, in no particular order within a row. Ties keep the lower index.
 */
export function topKRows(values: Float32Array, rows: number, cols: number, k: number): { values: Float32Array; indices: Int32Array } {
  const outV = new Float32Array(rows * k);
  const outI = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    // Min-heap ordered by value, and among equal values the larger index nearer the root (evicted first).
    const hv = outV.subarray(r * k, r * k + k);
    const hi = outI.subarray(r * k, r * k + k);
    const base = r * cols;
    let size = 0;
    for (let j = 0; j < cols; j++) {
      const v = values[base + j]!;
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (hv[p]! < v) break; // an equal parent has a lower index: it is evicted later, so it moves down
          hv[c] = hv[p]!;
          hi[c] = hi[p]!;
          c = p;
        }
        hv[c] = v;
        hi[c] = j;
      } else if (v > hv[0]!) {
        // Replace the root (smallest kept) and sift down.
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= k) break;
          const rr = l + 1;
          const m = rr < k && (hv[rr]! < hv[l]! || (hv[rr]! === hv[l]! && hi[rr]! > hi[l]!)) ? rr : l;
          if (v < hv[m]! || (v === hv[m]! && j > hi[m]!)) break;
          hv[c] = hv[m]!;
          hi[c] = hi[m]!;
          c = m;
        }
        hv[c] = v;
        hi[c] = j;
      }
    }
  }
  return { values: outV, indices: outI };
}
