/**
 * `npm run bench -- invaspread [options]`: InvaSpread on Fashion-MNIST through `contrastive
 * pretrain` and `contrastive eval` with the CLI's defaults; see bench/_methods.ts for what it
 * measures and the options.
 */
import { benchMethods } from './_methods.js';

export async function main(args: string[]): Promise<void> {
  await benchMethods(args, ['invaspread'], 'invaspread');
}
