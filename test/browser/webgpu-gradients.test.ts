/**
 * WebGPU trains as the CPU backend does, in headless Chromium on its WebGPU adapter (SwiftShader
 * here: software Vulkan running the same WGSL shaders a GPU runs), against tfjs-backend-cpu in
 * the same page: the gradients of the page's SimCLR model (conv net on 8x8 grey images + MLP
 * head, NT-Xent) on two fixed views; three training steps of the page's method (loss and the
 * optimizer's gradient norm); `addMany` past WebGPU's 7 inputs per shader. Found on an NVIDIA
 * H200 (bench/web-backends.ts): the page trained on WebGPU without its loss going down, because
 * `tf.addN` of the 10 weights' squared norms (the optimizer's clipping) was an invalid shader.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startStaticServer, type StaticServer } from '../../src/cli/serve.js';
import { chromiumMissing, launchChromium, type Launched } from './chromium.js';
import type { Gradients, Steps } from './fixtures/gradient-check.js';

const skip = chromiumMissing;
let out: string | undefined;
let server: StaticServer | undefined;
let browser: Launched | undefined;

before(async () => {
  if (skip !== false) return;
  out = mkdtempSync(join(tmpdir(), 'contrastive-gradients-'));
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'gradient-check.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: join(out, 'check.js'),
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="check.js"></script>\n');
  server = await startStaticServer({ dir: out, port: 0 });
  browser = await launchChromium({ gpu: 'webgpu-software' });
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

/** max |a - b| / max |b|: the error relative to the reference's scale. */
const relError = (a: number[], b: number[]): number => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
};

for (const batch of [64]) {
  test(`WebGPU: the page model's SimCLR gradients equal the CPU backend's (batch ${batch})`, { skip, timeout: 300_000 }, async (t) => {
    const page = await browser!.context.newPage();
    await page.goto(server!.url);
    await page.waitForFunction(() => '__gradients' in window);
    const run = (backend: string): Promise<Gradients> =>
      page.evaluate(([b, n]) => (window as unknown as { __gradients: (b: string, n: number) => Promise<Gradients> }).__gradients(b, n), [
        backend,
        batch,
      ] as const);
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    assert.equal(gpu.backend, 'webgpu');
    const report = [
      `loss cpu ${cpu.loss.toFixed(6)} webgpu ${gpu.loss.toFixed(6)}`,
      `h ${relError(gpu.h, cpu.h).toExponential(2)}`,
      `z ${relError(gpu.z, cpu.z).toExponential(2)}`,
      ...cpu.grads.map((g, i) => `${g.name} ${relError(gpu.grads[i]!.values, g.values).toExponential(2)}`),
    ];
    t.diagnostic(report.join('; '));
    assert.ok(Math.abs(gpu.loss - cpu.loss) < 1e-3 * Math.abs(cpu.loss), report[0]);
    for (let i = 0; i < cpu.grads.length; i++) {
      const e = relError(gpu.grads[i]!.values, cpu.grads[i]!.values);
      assert.ok(e < 1e-3, `${cpu.grads[i]!.name}: relative error ${e.toExponential(2)} (${report.join('; ')})`);
    }
    await page.close();
  });
}

test(
  "WebGPU: three training steps of the page method give the CPU backend's losses and gradient norms",
  { skip, timeout: 300_000 },
  async (t) => {
    const page = await browser!.context.newPage();
    await page.goto(server!.url);
    await page.waitForFunction(() => '__steps' in window);
    const run = (backend: string): Promise<Steps> =>
      page.evaluate(
        (b) => (window as unknown as { __steps: (b: string, n: number, k: number) => Promise<Steps> }).__steps(b, 32, 3),
        backend,
      );
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    assert.equal(gpu.backend, 'webgpu');
    t.diagnostic(`cpu losses ${cpu.losses.map((v) => v.toFixed(5)).join(' ')} norms ${cpu.gradNorms.map((v) => v.toFixed(5)).join(' ')}`);
    t.diagnostic(
      `webgpu losses ${gpu.losses.map((v) => v.toFixed(5)).join(' ')} norms ${gpu.gradNorms.map((v) => v.toFixed(5)).join(' ')}`,
    );
    assert.ok(
      cpu.gradNorms.every((v) => Number.isFinite(v) && v > 0),
      'the CPU steps report their gradient norms',
    );
    for (let i = 0; i < 3; i++) {
      assert.ok(
        Math.abs(gpu.losses[i]! - cpu.losses[i]!) < 1e-3 * Math.abs(cpu.losses[i]!),
        `step ${i + 1} loss: ${gpu.losses[i]} vs ${cpu.losses[i]}`,
      );
      assert.ok(
        Math.abs(gpu.gradNorms[i]! - cpu.gradNorms[i]!) < 1e-3 * cpu.gradNorms[i]!,
        `step ${i + 1} gradient norm: ${gpu.gradNorms[i]} vs ${cpu.gradNorms[i]}`,
      );
    }
    await page.close();
  },
);

test('WebGPU: addMany sums 20 tensors (tf.addN binds at most 7 inputs per shader there)', { skip }, async () => {
  const page = await browser!.context.newPage();
  await page.goto(server!.url);
  await page.waitForFunction(() => '__addMany' in window);
  const got = await page.evaluate(() =>
    (window as unknown as { __addMany: (b: string, n: number) => Promise<number[]> }).__addMany('webgpu', 20),
  );
  // sum over k < 20 of k + [0, 0.1, 0.2]: 190, 192, 194
  [190, 192, 194].forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-3, `element ${i}: ${got[i]} vs ${v}`));
  await page.close();
});
