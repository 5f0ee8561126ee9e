/**
 * Nearest neighbours of an image file: embedded by `encoder` (the index's run, or another whose
 * vectors have the index's width), the file's own row left out when it is itself in the index.
 */
import { resolve } from 'node:path';
import { DataError } from '../../errors.js';
import type { QueryEncoder } from './query-encoder.js';
import type { Neighbour, VectorIndex } from './vector-index.js';

export async function searchByImage(index: VectorIndex, encoder: QueryEncoder, file: string, k = 10): Promise<Neighbour[]> {
  if (encoder.dim !== index.dim) {
    throw new DataError(
      'searchByImage',
      file,
      `would be embedded by the encoder of ${encoder.run} as a ${encoder.dim}-d vector, but the index holds ${index.dim}-d vectors (an encoder of another width): use the run the index was built from`,
    );
  }
  const vector = await encoder.embed(file);
  const self = await index.idOfPath(resolve(file));
  return index.search(vector, { k, ...(self !== undefined ? { exclude: self } : {}) });
}
