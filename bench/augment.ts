/**
 * `npm run bench -- augment [--backend name,...] [--rounds R] [--small-batch N] [--cifar-batch N]`:
 * the cost of making two augmented views of a batch, as a share of the SimCLR training step that
 * consumes them, on the same backend (default: the one `initBackend()` picks).
 * - small: two `smallGrey(28)` views of a batch of N 28x28x1 images (default 512); the step
 *   trains convNet() + head 128-128-64 with NT-Xent (τ 0.5) and Adam on those N pairs.
 * - cifar: two `simclrCifar(32)` views of N 32x32x3 images (default 256); the step trains the
 *   CIFAR ResNet of bench/step.ts (stem 32, widths 32/64/128, one block per stage) on those N pairs.
 * The model and step are those of bench/step.ts (which exports no helper, so they are rebuilt
 * here). Each round times the views, then one step, alternating, so that load from other
 * processes hits both alike; the share is the ratio of the medians.
 */
import type * as TF from '../src/tf.js';

interface Options {
  backends: string[] | undefined;
  rounds: number;
  smallBatch: number;
  cifarBatch: number;
  cases: string[];
}

function parse(args: string[]): Options {
  const o: Options = { backends: undefined, rounds: 5, smallBatch: 512, cifarBatch: 256, cases: ['small', 'cifar'] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`augment: ${a} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number.parseInt(next(), 10);
      if (!(v >= 1)) throw new Error(`augment: ${a} must be an integer >= 1`);
      return v;
    };
    if (a === '--backend')
      o.backends = next()
        .split(',')
        .filter((s) => s !== '');
    else if (a === '--rounds') o.rounds = int();
    else if (a === '--small-batch') o.smallBatch = int();
    else if (a === '--cifar-batch') o.cifarBatch = int();
    else if (a === '--case') o.cases = next().split(',');
    else throw new Error(`augment: unknown option '${a}'`);
  }
  return o;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runCase(name: string, batch: number, rounds: number): Promise<void> {
  const tf = await import('../src/tf.js');
  const { Rng } = await import('../src/random.js');
  const { views } = await import('../src/augment/views.js');
  const { smallGrey, simclrCifar } = await import('../src/augment/presets.js');
  const { convNet } = await import('../src/models/conv-net.js');
  const { resnet } = await import('../src/models/resnet.js');
  const { projectionHead } = await import('../src/models/projection-head.js');
  const { ntXentLoss } = await import('../src/losses/nt-xent.js');

  const small = name === 'small';
  const shape: [number, number, number] = small ? [28, 28, 1] : [32, 32, 3];
  const makeViews = views(small ? smallGrey(28) : simclrCifar(32), 2);
  const encoder = small
    ? convNet({ inputShape: shape })
    : resnet({ inputShape: shape, stemWidth: 32, widths: [32, 64, 128], blocksPerStage: [1, 1, 1] });
  const head = projectionHead({ inputDim: 128, hiddenDim: 128, outputDim: 64 });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 1); // [N, H, W, C]
  const rng = new Rng(1);

  const augment = async (): Promise<[TF.Tensor, TF.Tensor]> => {
    const [v1, v2] = makeViews(images, rng) as [TF.Tensor, TF.Tensor];
    await Promise.all([v1.data(), v2.data()]); // the views are computed, whatever the backend
    return [v1, v2];
  };
  const step = async (v1: TF.Tensor, v2: TF.Tensor): Promise<void> => {
    const loss = optimizer.minimize(() => {
      const h = encoder.apply(tf.concat([v1, v2], 0), { training: true }) as TF.Tensor2D; // [2N, 128]
      const z = head.apply(h, { training: true }) as TF.Tensor2D; // [2N, 64]
      const [z1, z2] = tf.split(z, 2, 0) as [TF.Tensor2D, TF.Tensor2D];
      return ntXentLoss(z1, z2, { temperature: 0.5 });
    }, true)!;
    const value = (await loss.data())[0]!;
    loss.dispose();
    if (!Number.isFinite(value)) throw new Error(`augment: loss is ${value}`);
  };

  // Warm-up: one of each (kernel setup, weight creation).
  {
    const [v1, v2] = await augment();
    await step(v1, v2);
    tf.dispose([v1, v2]);
  }
  const tAug: number[] = [];
  const tStep: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const [v1, v2] = await augment();
    const t1 = performance.now();
    await step(v1, v2);
    const t2 = performance.now();
    tf.dispose([v1, v2]);
    tAug.push(t1 - t0);
    tStep.push(t2 - t1);
  }
  const [a, s] = [median(tAug), median(tStep)];
  console.log(
    `  ${name}: two views of ${batch} x ${shape.join('x')}: ${a.toFixed(1)} ms (${((2 * batch) / (a / 1000)).toFixed(0)} views/s); ` +
      `step on ${batch} pairs: ${s.toFixed(0)} ms; share of the step ${((100 * a) / s).toFixed(1)}% ` +
      `(per round, views ms: ${tAug.map((t) => t.toFixed(0)).join(' ')}; step ms: ${tStep.map((t) => t.toFixed(0)).join(' ')})`,
  );
  tf.dispose([images]);
  encoder.dispose();
  head.dispose();
}

export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  const { initBackend, describeBackend } = await import('../src/backend.js');
  for (const backend of o.backends ?? [undefined]) {
    const info = await initBackend(backend as never);
    console.log(`augment benchmark on ${describeBackend(info)}; ${o.rounds} rounds, median of each`);
    for (const c of o.cases) {
      if (c !== 'small' && c !== 'cifar') throw new Error(`augment: --case must be small or cifar, got '${c}'`);
      await runCase(c, c === 'small' ? o.smallBatch : o.cifarBatch, o.rounds);
    }
  }
}
