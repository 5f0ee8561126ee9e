/**
 * A view as a tfjs-layers layer, so that CMC's representation (raw sample -> each view -> its
 * encoder -> concatenation) is one `tf.LayersModel` that `saveModel`/`loadModel` and the CLI's
 * `eval`/`embed` can use like any other encoder. Built-in views serialise as their spec; a model
 * holding a user view works in memory but cannot be saved (a ConfigError says so).
 * Registered with `tf.serialization` as `ContrastiveView` on import.
 */
import * as tf from '../tf.js';
import { ConfigError } from '../errors.js';
import type { View, ViewSpec } from './view.js';
import { builtinView } from './builtin.js';

/** What the ViewLayer constructor takes (also what tfjs hands it when a saved model is loaded). */
export interface ViewLayerArgs {
  name?: string;
  /** The view (in memory). */
  view?: View;
  /** A built-in view's spec (when loading a saved model). */
  spec?: ViewSpec;
  /** Shape of one output sample, measured by running the view once. */
  outputSampleShape: number[];
  trainable?: boolean;
}

export class ViewLayer extends tf.layers.Layer {
  static className = 'ContrastiveView';
  readonly view: View;
  private readonly outputSampleShape: number[];

  constructor(args: ViewLayerArgs) {
    super({ ...(args.name !== undefined ? { name: args.name } : {}), trainable: false });
    const v = args.view ?? (args.spec !== undefined ? builtinView(args.spec) : undefined);
    if (v === undefined) throw new ConfigError('ViewLayer', 'args', 'must hold a view or the spec of a built-in view');
    this.view = v;
    this.outputSampleShape = [...args.outputSampleShape];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape; // [batch, ...sample]
    return [s[0] ?? null, ...this.outputSampleShape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return this.view.apply(x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    if (this.view.spec === undefined) {
      throw new ConfigError(
        'ViewLayer.getConfig',
        'view',
        `'${this.view.name}' is a user function and cannot be saved with the model; save the view encoders (cmc.encoders) instead`,
      );
    }
    const spec = this.view.spec as unknown as tf.serialization.ConfigDict;
    return { ...super.getConfig(), spec, outputSampleShape: this.outputSampleShape };
  }
}

tf.serialization.registerClass(ViewLayer);
