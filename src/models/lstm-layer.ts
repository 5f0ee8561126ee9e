/**
 * tfjs-layers' `LSTM` routed to `lstmSequence` (one kernel each way on the `native` backend,
 * src/models/lstm-sequence.ts) where the backend has it and the layer's config allows (tanh,
 * sigmoid or hard-sigmoid gates, no dropout, mask or state: src/models/recurrent-routing.ts).
 * `initBackend()` and `buildLayersModel` route; `lstm(args)` is `tf.layers.lstm(args)` after routing.
 */
import * as tf from '../tf.js';
import { hasLstmSequenceKernel, lstmSequence } from './lstm-sequence.js';
import { recurrentRoute } from './recurrent-routing.js';

/** The arguments of `tf.layers.lstm`. */
export type LstmArgs = NonNullable<Parameters<typeof tf.layers.lstm>[0]>;

const route = recurrentRoute('LSTM', hasLstmSequenceKernel, lstmSequence);

/** Makes every tfjs-layers LSTM layer, existing or future, run the LSTM sequence kernel where it can. Idempotent. */
export function routeLstmLayers(): void {
  route.route();
}

/** Whether tfjs-layers' LSTM layers are routed (`routeLstmLayers`). */
export function lstmLayersRouted(): boolean {
  return route.routed();
}

/** `tf.layers.lstm(args)` with LSTM layers routed (`routeLstmLayers`): the same layer, class `LSTM`, config and weights. */
export function lstm(args: LstmArgs): ReturnType<typeof tf.layers.lstm> {
  routeLstmLayers();
  return tf.layers.lstm(args);
}
