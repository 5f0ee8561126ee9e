/**
 * `npm run bench -- npid [options]`: NPID with the NCE and the full-softmax objectives on
 * Fashion-MNIST through `contrastive pretrain` and `contrastive eval` with the CLI's defaults; see
 * bench/_methods.ts for what it measures and the options.
 */
import { benchMethods } from './_methods.js';

export async function main(args: string[]): Promise<void> {
  await benchMethods(args, ['npid-nce', 'npid-softmax'], 'npid');
}
