import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelEfficiencyTable } from '../../src/eval/format-table.js';
import { ConfigError } from '../../src/errors.js';

test('one aligned row per feature set, percentages, "-" for a missing value', () => {
  const text = formatLabelEfficiencyTable({
    pixels: { linear: { '1%': 0.7012, '10%': 0.79, '100%': 0.84 }, knn: { '1%': 0.698, '10%': 0.772, '100%': 0.854 } },
    trained: { linear: { '1%': 0.75, '10%': 0.81, '100%': 0.865 }, knn: { '1%': 0.7, '10%': 0.8 } },
  });
  assert.equal(
    text,
    [
      '          linear probe        kNN',
      'features     1%   10%  100%      1%   10%  100%',
      'pixels     70.1  79.0  84.0    69.8  77.2  85.4',
      'trained    75.0  81.0  86.5    70.0  80.0     -',
    ].join('\n'),
  );
  assert.match(
    formatLabelEfficiencyTable({ a: { linear: { '1%': 1 }, knn: { '1%': 0.5 } } }, { digits: 0, knnTitle: 'kNN (k=200)' }),
    /a\s+100\s+50$/,
  );
});

test('typed error on a malformed result', () => {
  assert.throws(
    () => formatLabelEfficiencyTable({ x: { linear: {} } as never }),
    (e: unknown) => e instanceof ConfigError && /`results.x` must have `linear` and `knn`/.test(e.message),
  );
});
