/**
 * Conv2DBackpropInput for wasm, as a forward Conv2D (XNNPACK) instead of the shipped scalar loop:
 * dx = conv2d(dilate(dy, stride) padded by (k - 1 - pad), W'), stride 1, where
 * W'[i, j, o, c] = W[kh-1-i, kw-1-j, c, o] (spatially flipped, in/out swapped).
 * Stride 1 lets the convolution pad (explicit padding); stride > 1 builds the dilated, padded dy.
 */
import * as tf from '../../tf.js';
import { callKernel, disposeInfo, f32, makeF32, type KernelArgs, type TensorInfo } from './kernel-utils.js';

export function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`wasm Conv2DBackpropInput: dataFormat '${dataFormat}' is not supported, use 'NHWC'`);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h - (oh - 1) * sh - 1 + info.padInfo.top;
  const right = w - (ow - 1) * sw - 1 + info.padInfo.left;

  // W' [kh, kw, cout, cin]
  const flipped = makeF32(backend, [kh, kw, cout, cin]);
  {
    const src = f32(backend, filter);
    const dst = f32(backend, flipped);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * cin * cout;
        const d0 = (i * kw + j) * cout * cin;
        for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) dst[d0 + o * cin + c] = src[s0 + c * cout + o]!;
      }
    }
  }
  let out: TensorInfo;
  if (sh === 1 && sw === 1) {
    out = callKernel('Conv2D', backend, { x: dy, filter: flipped }, {
      strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
  } else {
    const hp = (oh - 1) * sh + 1 + top + bottom;
    const wp = (ow - 1) * sw + 1 + left + right;
    const padded = makeF32(backend, [n, hp, wp, cout]);
    const src = f32(backend, dy);
    const dst = f32(backend, padded);
    dst.fill(0);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const rowOut = ((b * hp + top + y * sh) * wp + left) * cout;
        const rowIn = (b * oh + y) * ow * cout;
        for (let x = 0; x < ow; x++) dst.set(src.subarray(rowIn + x * cout, rowIn + (x + 1) * cout), rowOut + x * sw * cout);
      }
    }
    out = callKernel('Conv2D', backend, { x: padded, filter: flipped }, {
      strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
    disposeInfo(backend, padded);
  }
  disposeInfo(backend, flipped);
  if (out.shape[1] !== h || out.shape[2] !== w || out.shape[3] !== cin) {
    disposeInfo(backend, out);
    throw new Error(`wasm Conv2DBackpropInput: internal shape ${out.shape} != ${inputShape}`);
  }
  return out;
}

