/**
 * `npm run bench -- start-recipe [--steps 371] [--variants "tau=0.2;tau=0.2,lr=0.002;batch=128"]
 * [--taus 0.5,0.2,0.1] [--seeds 0,1] [--out runs/start-recipe]`:
 * `npm start`'s job (SimCLR on the bundled Fashion-MNIST, its model and evaluation: 4,000
 * labelled train and 1,000 test images, linear probe and kNN at 1/10/100%, against pixels and
 * the random encoder) at a fixed number of steps (the budget's, 371 on this idle machine), for
 * each variant and seed: the short-budget recipe study of issue 18. A fixed step count, not a time
 * budget, so the machine's load does not change what is compared; a variant with another batch
 * size trains `steps x 256 / batch` steps (the same images seen). Prints each cell's margin over
 * the better baseline, how many of the six cells beat both, and the training seconds.
 *
 * A variant is `key=value` pairs joined by commas: method (simclr by default; others with their own
 * τ unless tau is given), tau, lr, batch, aug (an augmentation preset), limit (training images), objective (NPID's:
 * nce or softmax), head (mlp or linear).
 * Without --variants, one variant per τ of --taus.
 */
import { join } from 'node:path';
import { runStart, type StartOptions } from '../src/cli/start.js';

const CELLS = ['linear', 'knn'] as const;

type Variant = Pick<StartOptions, 'method' | 'objective' | 'temperature' | 'lr' | 'batchSize' | 'augmentation' | 'limit' | 'head'>;

function parseVariant(text: string): Variant {
  const v: Variant = {};
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=') as [string, string | undefined];
    if (value === undefined || value === '') throw new Error(`start-recipe: --variants: '${pair}' is not key=value`);
    if (key === 'tau') v.temperature = Number(value);
    else if (key === 'lr') v.lr = Number(value);
    else if (key === 'batch') v.batchSize = Number(value);
    else if (key === 'aug') v.augmentation = value;
    else if (key === 'method') v.method = value;
    else if (key === 'limit') v.limit = Number(value);
    else if (key === 'head') v.head = value === 'linear' ? 'linear' : 'mlp';
    else if (key === 'objective') v.objective = value === 'softmax' ? 'softmax' : 'nce';
    else throw new Error(`start-recipe: --variants: unknown key '${key}' (method, objective, tau, lr, batch, aug, limit, head)`);
  }
  return v;
}

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const steps = Number(opt('steps', '371'));
  const variantTexts = args.includes('--variants')
    ? opt('variants', '').split(';')
    : opt('taus', '0.5,0.2,0.1')
        .split(',')
        .map((t) => `tau=${t}`);
  const seeds = opt('seeds', '0,1').split(',').map(Number);
  const out = opt('out', join('runs', 'start-recipe'));
  const rows: string[] = [];
  for (const text of variantTexts) {
    const variant = parseVariant(text);
    const batch = variant.batchSize ?? 256;
    const variantSteps = Math.round((steps * 256) / batch);
    for (const seed of seeds) {
      const { eval: r, trainSeconds } = await runStart({
        ...variant,
        steps: variantSteps,
        seed,
        out: join(out, `${text.replace(/[^a-z0-9.]+/gi, '_')}-s${seed}`),
        quiet: true,
        log: () => {},
        report: { skipEmbeddings: true },
      });
      const fractions = Object.keys(r.linear);
      const cells: string[] = [];
      let wins = 0;
      for (const probe of CELLS) {
        for (const f of fractions) {
          const mine = r[probe][f]!;
          const best = Math.max(...Object.values(r.baselines).map((b) => b[probe][f]!));
          if (mine > best) wins++;
          cells.push(`${(100 * mine).toFixed(1)} (${mine > best ? '+' : ''}${(100 * (mine - best)).toFixed(1)})`);
        }
      }
      const row = `| ${text} | ${variantSteps} | ${seed} | ${cells.join(' | ')} | ${wins}/6 | ${trainSeconds.toFixed(0)} s |`;
      console.log(row);
      rows.push(row);
    }
  }
  console.log(
    `\nSimCLR, npm start's job (${steps} steps at batch 256, the same images seen at other batch sizes); accuracy % (margin over the better of pixels and the random encoder)`,
  );
  console.log('| variant | steps | seed | linear 1% | 10% | 100% | kNN 1% | 10% | 100% | cells beating both | training |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
