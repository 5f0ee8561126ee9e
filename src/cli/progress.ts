/**
 * Training progress on stderr: a cli-progress bar on a terminal (epoch, step, loss, learning
 * rate, samples/s, ETA); plain lines every `everySeconds` otherwise (logs, CI, pipes).
 */
import cliProgress from 'cli-progress';
import type { EpochRecord, StepRecord } from '../train/trainer.js';

export interface Progress {
  step(record: StepRecord, info: { stepsPerEpoch: number; totalSteps: number; epochs: number }): void;
  epoch(record: EpochRecord): void;
  stop(): void;
}

const fmtTime = (s: number): string => {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
};

/** A progress reporter; `tty` defaults to whether stderr is a terminal. */
export function progress({
  tty = process.stderr.isTTY === true,
  everySeconds = 10,
}: { tty?: boolean; everySeconds?: number } = {}): Progress {
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  let rate = 0; // smoothed samples/s
  const t0 = performance.now();
  let stepsAtStart = -1;
  return {
    step(r, info) {
      rate = rate === 0 ? r.samplesPerSec : 0.9 * rate + 0.1 * r.samplesPerSec;
      if (stepsAtStart < 0) stepsAtStart = r.step - 1;
      const done = r.step - stepsAtStart;
      const elapsed = (performance.now() - t0) / 1000;
      const eta = (elapsed / done) * (info.totalSteps - r.step);
      const payload = {
        epoch: `${r.epoch}/${info.epochs}`,
        loss: r.loss.toFixed(4),
        lr: r.lr.toExponential(2),
        rate: rate.toFixed(0),
        eta: fmtTime(eta),
      };
      if (tty) {
        if (bar === undefined) {
          bar = new cliProgress.SingleBar(
            {
              format: 'epoch {epoch} |{bar}| step {value}/{total} | loss {loss} | lr {lr} | {rate} samples/s | ETA {eta}',
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(info.totalSteps, r.step - 1, payload);
        }
        if (bar.getTotal() !== info.totalSteps) bar.setTotal(info.totalSteps); // a time budget re-sized the run
        bar.update(r.step, payload);
      } else if (elapsed - lastLine >= everySeconds || r.step === info.totalSteps || r.step === stepsAtStart + 1) {
        lastLine = elapsed;
        process.stderr.write(
          `epoch ${payload.epoch} step ${r.step}/${info.totalSteps} loss ${payload.loss} lr ${payload.lr} ${payload.rate} samples/s ETA ${payload.eta}\n`,
        );
      }
    },
    epoch(e) {
      const knn = e.knn === undefined ? '' : `, kNN monitor ${(e.knn * 100).toFixed(1)}%`;
      const note = e.knnNote === undefined ? '' : ` (${e.knnNote})`;
      const health =
        (e.alignment === undefined ? '' : `, alignment ${e.alignment.toFixed(3)}`) +
        (e.uniformity === undefined ? '' : `, uniformity ${e.uniformity.toFixed(3)}`) +
        (e.embeddingStd === undefined ? '' : `, embedding std ${e.embeddingStd.toFixed(4)}`) +
        (e.effectiveRank === undefined ? '' : `, effective rank ${e.effectiveRank.toFixed(1)}`) +
        (e.spreadNote === undefined ? '' : ` (warning: ${e.spreadNote})`);
      const line = `epoch ${e.epoch} done: mean loss ${e.loss.toFixed(4)}${knn}${note}${health} (${fmtTime(e.seconds)})`;
      if (bar !== undefined) {
        bar.stop();
        bar = undefined;
      }
      process.stderr.write(line + '\n');
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
