/**
 * tfjs-layers' `GRU` routed to `gruSequence` (one kernel each way on the `native` backend,
 * src/models/gru-sequence.ts) where the backend has it and the layer's config allows (tanh,
 * sigmoid or hard-sigmoid gates, no dropout, mask or state: src/models/recurrent-routing.ts).
 * tfjs-layers' GRU is always Keras' reset-before variant (no `reset_after`), the kernel's cell.
 * `initBackend()` and `buildLayersModel` route; `gru(args)` is `tf.layers.gru(args)` after routing.
 */
import * as tf from '../tf.js';
import { gruSequence, hasGruSequenceKernel } from './gru-sequence.js';
import { recurrentRoute } from './recurrent-routing.js';

/** The arguments of `tf.layers.gru`. */
export type GruArgs = NonNullable<Parameters<typeof tf.layers.gru>[0]>;

const route = recurrentRoute('GRU', hasGruSequenceKernel, gruSequence);

/** Makes every tfjs-layers GRU layer, existing or future, run the GRU sequence kernel where it can. Idempotent. */
export function routeGruLayers(): void {
  route.route();
}

/** Whether tfjs-layers' GRU layers are routed (`routeGruLayers`). */
export function gruLayersRouted(): boolean {
  return route.routed();
}

/** `tf.layers.gru(args)` with GRU layers routed (`routeGruLayers`): the same layer, class `GRU`, config and weights. */
export function gru(args: GruArgs): ReturnType<typeof tf.layers.gru> {
  routeGruLayers();
  return tf.layers.gru(args);
}
