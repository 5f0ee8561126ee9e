/**
 * `npm run bench -- simclr [options]`: SimCLR on Fashion-MNIST through `contrastive pretrain` and
 * `contrastive eval` with the CLI's defaults; see bench/_methods.ts for what it measures and the
 * options (`--methods simclr,npid-nce,npid-softmax,invaspread` puts the methods side by side).
 */
import { benchMethods } from './_methods.js';

export async function main(args: string[]): Promise<void> {
  await benchMethods(args, ['simclr'], 'simclr');
}
