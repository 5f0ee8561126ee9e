import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../src/tf.js';
import { ConfigError, DataError, ShapeError } from '../../src/errors.js';
import { applyView, toView, view, viewSampleShape } from '../../src/cmc-views/view.js';
import { parseViewList, builtinView } from '../../src/cmc-views/builtin.js';
import { ViewLayer } from '../../src/cmc-views/view-layer.js';
import { labAb } from '../../src/cmc-views/lab-ab.js';
import { cmcAugmentation } from '../../src/cmc-views/cmc-augmentation.js';
import { saveModel, loadModel } from '../../src/node/run/model-io.js';
import { Rng } from '../../src/random.js';
import { assertClose, useBackend } from '../support/tensors.js';

before(() => useBackend());

test('applyView: checks batch size, finiteness and tensor-ness, naming the view; disposes the bad output', () => {
  const x = tf.ones([3, 2, 2, 1]);
  const before = tf.memory().numTensors;
  assert.throws(
    () =>
      applyView(
        view('half-batch', (t) => tf.slice(t, 0, 2)),
        x,
      ),
    (e: unknown) => e instanceof ShapeError && e.message.includes("view 'half-batch'") && /batch size 3/.test(e.message),
  );
  assert.throws(
    () =>
      applyView(
        view('nan', (t) => tf.div(tf.sub(t, 1), tf.sub(t, 1))),
        x,
      ),
    (e: unknown) => e instanceof DataError && e.message.includes("view 'nan'") && /finite/.test(e.message),
  );
  assert.throws(
    () =>
      applyView(
        view('inf', (t) => tf.div(t, 0)),
        x,
      ),
    DataError,
  );
  assert.throws(
    () =>
      applyView(
        view('number', () => 3 as never),
        x,
      ),
    ShapeError,
  );
  assert.throws(
    () =>
      applyView(
        view('same', (t) => t),
        x,
      ),
    ShapeError,
  );
  assert.throws(
    () =>
      applyView(
        view('flat', (t) => tf.sum(t, [1, 2, 3])),
        x,
      ),
    ShapeError,
  );
  assert.equal(tf.memory().numTensors, before);
  const ok = applyView(
    view('double', (t) => tf.mul(t, 2)),
    x,
  );
  assert.deepEqual(ok.shape, [3, 2, 2, 1]);
  tf.dispose([ok, x]);
});

test('toView / view / viewSampleShape', () => {
  function myView(t: tf.Tensor): tf.Tensor {
    return tf.mul(t, 2);
  }
  assert.equal(toView(myView, 0).name, 'myView');
  assert.equal(toView((t: tf.Tensor) => tf.clone(t), 2).name, 'view 3');
  assert.throws(() => toView(5 as never, 1), ConfigError);
  assert.throws(() => view('', (t) => t), ConfigError);
  assert.deepEqual(viewSampleShape(labAb(), [6, 6, 3]), [6, 6, 2]);
  assert.deepEqual(viewSampleShape(builtinView({ name: 'half-luminance' }), [6, 6, 3]), [3, 3, 1]);
});

test('parseViewList: lab = lab-l, lab-ab; at least 2; no repeats; unknown names rejected', () => {
  assert.deepEqual(
    parseViewList('lab').map((s) => s.name),
    ['lab-l', 'lab-ab'],
  );
  assert.deepEqual(
    parseViewList('lab,gradient').map((s) => s.name),
    ['lab-l', 'lab-ab', 'gradient'],
  );
  assert.deepEqual(
    parseViewList('gradient,half-luminance').map((s) => s.name),
    ['gradient', 'half-luminance'],
  );
  assert.throws(
    () => parseViewList('lab-l'),
    (e: unknown) => e instanceof ConfigError && /at least 2/.test(e.message),
  );
  assert.throws(() => parseViewList('lab,lab-l'), ConfigError);
  assert.throws(
    () => parseViewList('lab,depth'),
    (e: unknown) => e instanceof ConfigError && /depth/.test(e.message),
  );
});

test('ViewLayer: a model holding built-in views saves and loads (same outputs); a user view refuses to save', async () => {
  const input = tf.input({ shape: [4, 4, 3] });
  const layer = new ViewLayer({ name: 'v_ab', view: labAb(), outputSampleShape: [4, 4, 2] });
  const out = tf.layers.flatten().apply(layer.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const dir = mkdtempSync(join(tmpdir(), 'cmc-view-'));
  try {
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const x = tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    assertClose(b.dataSync(), a.dataSync(), 0, 0, 'loaded');
    tf.dispose([x, a, b]);
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  model.dispose();
  const user = new ViewLayer({ view: view('mine', (t) => tf.clone(t)), outputSampleShape: [4, 4, 3] });
  assert.throws(
    () => user.getConfig(),
    (e: unknown) => e instanceof ConfigError && /'mine'/.test(e.message),
  );
});

test('cmcAugmentation: crop and flip only; the same rng state gives the same batch', () => {
  const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 1);
  const aug = cmcAugmentation(8);
  const a = aug(x, new Rng(4));
  const b = aug(x, new Rng(4));
  assert.deepEqual(a.shape, [3, 8, 8, 3]);
  assertClose(a.dataSync(), b.dataSync(), 0, 0, 'same rng');
  tf.dispose([x, a, b]);
});
