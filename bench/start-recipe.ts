/**
 * `npm run bench -- start-recipe [--steps 371] [--taus 0.5,0.2,0.1] [--seeds 0,1] [--out runs/start-recipe]`:
 * `npm start`'s job (SimCLR on the bundled Fashion-MNIST, its model and evaluation: 4,000
 * labelled train and 1,000 test images, linear probe and kNN at 1/10/100%, against pixels and
 * the random encoder) at a fixed number of steps (the budget's, 371 on this idle machine), for
 * each τ and seed: the short-budget recipe study of issue 18. A fixed step count, not a time
 * budget, so the machine's load does not change what is compared. Prints each cell's margin over
 * the better baseline and how many of the six cells beat both.
 */
import { join } from 'node:path';
import { runStart } from '../src/cli/start.js';

const CELLS = ['linear', 'knn'] as const;

export async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: string): string => {
    const i = args.indexOf(`--${k}`);
    return i >= 0 ? args[i + 1]! : d;
  };
  const steps = Number(opt('steps', '371'));
  const taus = opt('taus', '0.5,0.2,0.1').split(',').map(Number);
  const seeds = opt('seeds', '0,1').split(',').map(Number);
  const out = opt('out', join('runs', 'start-recipe'));
  const rows: string[] = [];
  for (const tau of taus) {
    for (const seed of seeds) {
      const t0 = performance.now();
      const { eval: r } = await runStart({
        steps,
        temperature: tau,
        seed,
        out: join(out, `t${tau}-s${seed}`),
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
      const row = `| ${tau} | ${seed} | ${cells.join(' | ')} | ${wins}/6 | ${((performance.now() - t0) / 1000).toFixed(0)} s |`;
      console.log(row);
      rows.push(row);
    }
  }
  console.log(`\nSimCLR, npm start's job at ${steps} steps; accuracy % (margin over the better of pixels and the random encoder)`);
  console.log('| τ | seed | linear 1% | 10% | 100% | kNN 1% | 10% | 100% | cells beating both | time |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
