/**
 * The named datasets: which are bundled (committed under `data/`), which come from the shared
 * data folder, which can be downloaded, and where each is looked for.
 */
import { join } from 'node:path';
import type { DataFormat, DatasetName } from './data-spec.js';
import { bundledDataDir, downloadCacheDir, sharedDataDir } from './paths.js';

export interface CatalogEntry {
  name: DatasetName;
  format: DataFormat;
  /** Where it comes from. */
  source: 'bundled' | 'shared' | 'download';
  description: string;
  license: string;
  /** Folders (or a file) tried in order; the first that exists is used. */
  locations(): string[];
}

const shared = (...parts: string[]): string[] => {
  const dir = sharedDataDir();
  return dir === undefined ? [] : [join(dir, ...parts)];
};

export const CATALOG: Record<DatasetName, CatalogEntry> = {
  'fashion-mnist': {
    name: 'fashion-mnist',
    format: 'idx',
    source: 'bundled',
    description: 'Fashion-MNIST: 60,000 train + 10,000 test grey 28x28 images, 10 classes (Xiao et al. 2017)',
    license: 'MIT (Zalando SE)',
    locations: () => [join(bundledDataDir(), 'fashion-mnist'), ...shared('fashion-mnist'), join(downloadCacheDir(), 'fashion-mnist')],
  },
  digits: {
    name: 'digits',
    format: 'csv',
    source: 'bundled',
    description: 'UCI optical digits as shipped by scikit-learn: 1,797 images 8x8, values 0..16, 10 classes (no split)',
    license: 'CC BY 4.0 (Alpaydin & Kaynak, UCI)',
    locations: () => [join(bundledDataDir(), 'digits', 'digits.csv.gz'), ...shared('sklearn-digits', 'digits.csv.gz')],
  },
  mnist: {
    name: 'mnist',
    format: 'idx',
    source: 'download',
    description: 'MNIST: 60,000 train + 10,000 test grey 28x28 digits (LeCun et al. 1998)',
    license: 'CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)',
    locations: () => [join(downloadCacheDir(), 'mnist'), ...shared('mnist')],
  },
  cifar10: {
    name: 'cifar10',
    format: 'cifar',
    source: 'download',
    description: 'CIFAR-10: 50,000 train + 10,000 test RGB 32x32 images, 10 classes (Krizhevsky 2009)',
    license: 'no formal license; cite Krizhevsky 2009',
    locations: () => [join(downloadCacheDir(), 'cifar10', 'cifar-10-batches-bin'), ...shared('cifar10', 'cifar-10-batches-bin'), ...shared('cifar10')],
  },
  'cifar10-subset': {
    name: 'cifar10-subset',
    format: 'cifar',
    source: 'shared',
    description: 'CIFAR-10 subset: first 4,000 of data_batch_1 + first 1,000 of test_batch',
    license: 'no formal license; cite Krizhevsky 2009',
    locations: () => shared('cifar10-subset'),
  },
  fsdd: {
    name: 'fsdd',
    format: 'wav',
    source: 'shared',
    description: 'Free Spoken Digit Dataset: 3,000 WAV clips, 8 kHz, 10 digits x 6 speakers; index 0-4 is the test split',
    license: 'CC BY-SA 4.0',
    locations: () => shared('fsdd'),
  },
};
