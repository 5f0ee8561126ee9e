import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progress } from '../../src/cli/progress.js';

test('progress: plain lines off a terminal name epoch, step, loss, lr, samples/s and ETA', () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    lines.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const p = progress({ tty: false, everySeconds: 0 });
    const info = { stepsPerEpoch: 2, totalSteps: 4, epochs: 2 };
    for (let step = 1; step <= 2; step++)
      p.step({ step, epoch: 1, loss: 5 - step / 10, lr: 1e-3, samplesPerSec: 100, elapsed: step }, info);
    p.epoch({ epoch: 1, step: 2, loss: 4.85, knn: 0.5, seconds: 2 });
    p.stop();
  } finally {
    process.stderr.write = write;
  }
  assert.match(lines[0]!, /^epoch 1\/2 step 1\/4 loss 4\.9000 lr 1\.00e-3 100 samples\/s ETA \d+s\n$/);
  assert.match(lines.at(-1)!, /^epoch 1 done: mean loss 4\.8500, kNN monitor 50\.0%/);
});
