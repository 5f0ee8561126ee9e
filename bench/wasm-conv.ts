/**
 * `npm run bench -- wasm-conv [--rounds R]`: the wasm backend's 3x3 stride-1 'same' convolution
 * kernels as a training step calls them (every thread: XNNPACK's pool and the project's kernel
 * workers), wall time, best of R after a warm-up call, each against what runs without the
 * project's Winograd path: the forward (the registered Conv2D against the shipped XNNPACK one),
 * the weight gradient (Winograd against the im2col matmul, `conv2DBackpropFilter(..., winograd =
 * false)`) and the input gradient (the registered kernel, which convolves through the registered
 * Conv2D, against the same with the shipped Conv2D). Shapes: the three convolutions of the small
 * CNN at batch 512 (bench/step's small-bn), then batch and channel sweeps around
 * `WINOGRAD_MIN_TILES` (src/backend-loaders/wasm/conv2d.ts).
 */
import type * as TF from '@tensorflow/tfjs-core';

export async function main(args: string[]): Promise<void> {
  let rounds = 5;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rounds') rounds = Math.max(1, Number.parseInt(args[++i] ?? '', 10));
    else throw new Error(`wasm-conv: unknown option '${args[i]}'`);
  }
  const tf = await import('../src/tf.js');
  const { initBackend, describeBackend } = await import('../src/backend.js');
  const { callStock } = await import('../src/backend-loaders/wasm/kernel-utils.js');
  const { conv2DBackpropFilter } = await import('../src/backend-loaders/wasm/conv2d-backprop-filter.js');
  const { conv2DBackpropInput } = await import('../src/backend-loaders/wasm/conv2d-backprop-input.js');
  const { conv2D } = await import('../src/backend-loaders/wasm/conv2d.js');
  const info = await initBackend('wasm');
  const backend = tf.backend() as never;
  const best = (f: () => TF.TensorInfo): number => {
    const ts: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const t0 = performance.now();
      const out = f();
      const ms = performance.now() - t0;
      (tf.backend() as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
      if (i > 0) ts.push(ms);
    }
    return Math.min(...ts);
  };
  const cell = (a: number, b: number): string =>
    `${a.toFixed(2).padStart(8)} / ${b.toFixed(2).padStart(8)} ms ${(b / a).toFixed(2).padStart(5)}x`;
  console.log(`wasm-conv: ${describeBackend(info)}; best of ${rounds} (project / without its Winograd path, ratio)`);
  console.log(`  ${'x -> cout'.padEnd(26)} ${'forward'.padEnd(30)} ${'weight gradient'.padEnd(30)} input gradient`);
  const shapes: [number, number, number, number][] = [
    [512, 28, 1, 32],
    [512, 14, 32, 64],
    [512, 7, 64, 128],
    [4, 14, 64, 64],
    [8, 14, 64, 64],
    [16, 14, 64, 64],
    [64, 7, 128, 128],
    [4, 14, 256, 256],
    [16, 14, 256, 256],
    [256, 32, 8, 8],
    [256, 32, 16, 16],
  ];
  for (const [n, h, ci, co] of shapes) {
    const x = tf.randomNormal([n, h, h, ci]);
    const w = tf.randomNormal([3, 3, ci, co]);
    const dy = tf.randomNormal([n, h, h, co]);
    const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as unknown as TF.NamedAttrMap;
    const args = (inputs: object, attrs: object) => ({ inputs: inputs as TF.NamedTensorInfoMap, attrs: attrs as TF.NamedAttrMap, backend });
    const fwd = cell(
      best(() => conv2D(args({ x, filter: w }, conv))),
      best(() => callStock('Conv2D', backend, { x, filter: w }, conv)),
    );
    const filterArgs = args({ x, dy }, { ...conv, filterShape: [3, 3, ci, co] });
    const filt = cell(
      best(() => conv2DBackpropFilter(filterArgs)),
      best(() => conv2DBackpropFilter(filterArgs, undefined, false)),
    );
    let input = '(one input channel: the matmul and col2im path)';
    if (ci > 1) {
      const inputArgs = args({ dy, filter: w }, { ...conv, inputShape: [n, h, h, ci] });
      const mine = best(() => conv2DBackpropInput(inputArgs));
      const stock = tf.getKernel('Conv2D', 'wasm')!;
      tf.unregisterKernel('Conv2D', 'wasm');
      tf.registerKernel({
        ...stock,
        kernelFunc: ((a: { inputs: TF.NamedTensorInfoMap; attrs: TF.NamedAttrMap }) =>
          callStock('Conv2D', backend, a.inputs, a.attrs)) as unknown as TF.KernelFunc,
      });
      try {
        input = cell(
          mine,
          best(() => conv2DBackpropInput(inputArgs)),
        );
      } finally {
        tf.unregisterKernel('Conv2D', 'wasm');
        tf.registerKernel(stock);
      }
    }
    console.log(`  ${`[${n},${h},${h},${ci}] -> ${co}`.padEnd(26)} ${fwd.padEnd(30)} ${filt.padEnd(30)} ${input}`);
    tf.dispose([x, w, dy]);
  }
}
