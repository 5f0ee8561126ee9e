/**
 * tfjs-layers' `Conv2D` without bias and with a linear activation (the conv-BatchNorm pattern of
 * every CNN here and of most users' models) routed to `tf.conv2d`. tfjs-layers calls
 * `tf.fused.conv2d`, whose gradient is one closure that computes the input's gradient with the
 * filter's, also for the first layer, whose input (the images) needs none: on wasm that wasted
 * gradient is 3% of the small CNN's step. `tf.conv2d`'s gradient is one thunk per input, and
 * tfjs runs only those on the path to the variables. Same forward values (no bias, no
 * activation: the fused op computes exactly the plain convolution), class, config and weights: a
 * saved model stays a plain Conv2D. Every other config runs tfjs-layers' own call.
 * `initBackend()` routes.
 */
import * as tf from '../tf.js';

type Call = (this: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The fields of tfjs-layers' Conv2D the routed call reads (private in their typings). */
interface ConvFields {
  rank: number;
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: tf.serialization.Serializable;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
}

const cls = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D![0] as unknown as { prototype: { call: Call } };
const own = cls.prototype.call;

const routed: Call = function (this: tf.layers.Layer, inputs, kwargs) {
  const self = this as unknown as ConvFields;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : undefined) : inputs;
  if (
    x === undefined ||
    x.rank !== 4 ||
    self.rank !== 2 ||
    self.bias != null ||
    self.activation.getClassName() !== 'linear' ||
    self.dataFormat !== 'channelsLast' ||
    (self.padding !== 'same' && self.padding !== 'valid')
  ) {
    return own.call(this, inputs, kwargs);
  }
  return tf.tidy(() =>
    tf.conv2d(
      x as tf.Tensor4D,
      self.kernel.read() as tf.Tensor4D,
      self.strides as [number, number],
      self.padding as 'same' | 'valid',
      'NHWC',
      self.dilationRate as [number, number],
    ),
  );
};

/** Makes every tfjs-layers Conv2D layer, existing or future, take `tf.conv2d` where the route applies. Idempotent. */
export function routeConv2dLayers(): void {
  cls.prototype.call = routed;
}

/** Whether tfjs-layers' Conv2D layers are routed (`routeConv2dLayers`). */
export function conv2dLayersRouted(): boolean {
  return cls.prototype.call === routed;
}
