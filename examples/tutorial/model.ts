/**
 * The classifier: a small TensorFlow.js network on the pure-JavaScript CPU
 * backend (no native code, the same code in Node, Deno, Bun and browsers),
 * and the conversion of cutouts into its input.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

/** Side of the network's input: the central INPUT × INPUT pixels of each cutout. */
export const INPUT = 32;

/** One training example. */
export interface Example {
  /** INPUT × INPUT pixels, stretched and scaled by {@link stretch}. */
  pixels: Float32Array;
  /** Index of the morphology. */
  label: number;
}

/** Select the CPU backend (prod mode: no per-op NaN checks, no console banner). */
export async function useCpuBackend(): Promise<void> {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * An asinh stretch (linear in the noise, logarithmic in the bright core) in
 * units of `noise`, then scaled so the brightest pixel is 1: the network sees
 * shapes, not fluxes.
 */
export function stretch(pixels: ArrayLike<number>, noise: number): Float32Array {
  const out = new Float32Array(pixels.length);
  let peak = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = Math.asinh(pixels[k]! / (3 * noise));
    if (out[k]! > peak) peak = out[k]!;
  }
  if (peak > 0) for (let k = 0; k < out.length; k++) out[k] = out[k]! / peak;
  return out;
}

/**
 * Two networks: 'dense' (a hidden layer of 32 units on the pixels) and
 * 'conv' (a 5 × 5 convolution, pooling, then dense layers). Weights start
 * from `seed`, so a run is repeatable.
 */
export function buildModel(kind: 'dense' | 'conv', classes: number, seed: number): tfl.LayersModel {
  let layer = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed + layer++ });
  const model = tfl.sequential();
  if (kind === 'conv') {
    model.add(tfl.layers.conv2d({ inputShape: [INPUT, INPUT, 1], filters: 4, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init() }));
  } else {
    model.add(tfl.layers.flatten({ inputShape: [INPUT, INPUT, 1] }));
    model.add(tfl.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init() }));
  }
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() }));
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Stack examples into the network's input [n, INPUT, INPUT, 1] and one-hot labels [n, classes]. */
export function toTensors(batch: readonly Example[], classes: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const pixels = new Float32Array(batch.length * INPUT * INPUT);
  batch.forEach((e, i) => pixels.set(e.pixels, i * INPUT * INPUT));
  const xs = tf.tensor4d(pixels, [batch.length, INPUT, INPUT, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.map((e) => e.label), 'int32'), classes) as tf.Tensor2D);
  return { xs, ys };
}

/** One optimizer step on a batch; returns [loss, accuracy] on it. */
export async function trainStep(model: tfl.LayersModel, batch: readonly Example[], classes: number): Promise<[number, number]> {
  const { xs, ys } = toTensors(batch, classes);
  try {
    const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
    return [loss!, accuracy!];
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/** The predicted class of each example. */
export function predict(model: tfl.LayersModel, batch: readonly Example[], classes: number): Int32Array {
  const { xs, ys } = toTensors(batch, classes);
  try {
    return tf.tidy(() => tf.argMax(model.predict(xs) as tf.Tensor, -1).dataSync() as Int32Array);
  } finally {
    xs.dispose();
    ys.dispose();
  }
}
