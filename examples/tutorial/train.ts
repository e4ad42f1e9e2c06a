/**
 * Train a galaxy-morphology classifier on FITS cutouts streamed from an HTTP
 * server: the cutouts are generated (galaxies.ts), served from 127.0.0.1 by
 * a server that fails some requests on purpose (server.ts), read through
 * fitsflow's FitsDataset with prefetch and retries, and fed to a TensorFlow.js
 * network (model.ts). Prints the test accuracy against chance.
 *
 *   node examples/tutorial/train.ts --epochs 8            (Node ≥ 22.18; or bun, deno run -A, npx tsx)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FitsFile } from 'fitsflow';
import { FitsDataset, closeHttpConnections } from 'fitsflow/remote';
import { MORPHOLOGIES, writeCutouts } from './galaxies.ts';
import { type ServerStats, serveFolder } from './server.ts';
import { type Example, INPUT, buildModel, predict, stretch, trainStep, useCpuBackend } from './model.ts';

export interface TrainOptions {
  /** Passes over the training set (default 8). */
  epochs?: number;
  /** Training cutouts per morphology (default 150) and test cutouts per morphology (default 50). */
  trainPerClass?: number;
  testPerClass?: number;
  /** Examples per optimizer step (default 32). */
  batchSize?: number;
  /** Fraction of the server's range requests that fail (default 0.1). */
  faultRate?: number;
  /** Seed of the data, the fault schedule, the shuffle and the initial weights (default 42). */
  seed?: number;
  /** The network (default 'dense'). */
  model?: 'dense' | 'conv';
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface EpochReport {
  epoch: number;
  /** Mean loss and accuracy over the epoch's training batches. */
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

export interface TrainResult {
  /** Fraction of the test cutouts classified right, after the last epoch. */
  accuracy: number;
  /** Accuracy of guessing: 1 / number of classes. */
  chance: number;
  tested: number;
  /** P(at least this many right | guessing), one-sided binomial. */
  pValue: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  epochs: EpochReport[];
  /** What the server saw, including the faults it injected. */
  server: ServerStats;
  /** Files the dataset gave up on after its retries (0 when every fault was retried away). */
  skipped: number;
  bytesFromNetwork: number;
  bytesFromCache: number;
}

/** What the training loop takes from each file: the central INPUT × INPUT pixels and the label. */
async function readExample(file: FitsFile): Promise<Example> {
  const hdu = await file.hdu('CUTOUT');
  const [ny, nx] = hdu.shape!;
  const start = [(ny! - INPUT) >> 1, (nx! - INPUT) >> 1];
  const { data } = await hdu.readImage({ start, shape: [INPUT, INPUT] }); // decodes only the tiles it needs
  return { pixels: stretch(data as Float32Array, Number(hdu.header.get('SKYSIG'))), label: Number(hdu.header.get('CLASSID')) };
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space. */
function binomialTail(k: number, n: number, p: number): number {
  let logPmf = n * Math.log1p(-p); // log P(X = 0)
  let tail = k === 0 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    logPmf += Math.log((n - i) / (i + 1)) + Math.log(p / (1 - p)); // P(X = i + 1) from P(X = i)
    if (i + 1 >= k) tail += Math.exp(logPmf);
  }
  return Math.min(1, tail);
}

export async function train(opts: TrainOptions = {}): Promise<TrainResult> {
  const { epochs = 8, trainPerClass = 150, testPerClass = 50, batchSize = 32, faultRate = 0.1, seed = 42, model: kind = 'dense' } = opts;
  const log = opts.log ?? console.log;
  const classes = MORPHOLOGIES.length;
  await useCpuBackend();

  // 1. The data: FITS cutouts in a temporary folder, served over HTTP.
  const dir = await mkdtemp(join(tmpdir(), 'galaxies-'));
  const t0 = performance.now();
  const trainSet = await writeCutouts(dir, 'train', trainPerClass, seed);
  const testSet = await writeCutouts(dir, 'test', testPerClass, seed + 1);
  log(`wrote ${trainSet.length} training and ${testSet.length} test cutouts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const server = await serveFolder(dir, { rate: faultRate, seed });
  log(`serving ${dir} at ${server.origin}, failing ${(faultRate * 100).toFixed(0)}% of range requests`);

  try {
    // 2. The datasets: files read with range requests, prefetched, retried.
    // The byte counters of each dataset (cumulative), as its last progress report gave them.
    const traffic = { train: { bytesFromNetwork: 0, bytesFromCache: 0 }, test: { bytesFromNetwork: 0, bytesFromCache: 0 } };
    const common = {
      select: readExample,
      prefetch: 64,
      concurrency: 8,
      retries: 3,
      onError: 'skip' as const,
      // Loopback answers in microseconds: retry after 10 ms rather than the default 250 ms.
      open: { http: { retryDelay: 10, maxRetryDelay: 200 } },
    };
    const trainData = new FitsDataset<Example>(
      trainSet.map((c) => `${server.origin}/${c.name}`),
      { ...common, shuffle: seed, epochs, onProgress: (p) => (traffic.train = p) },
    );
    const testData = new FitsDataset<Example>(
      testSet.map((c) => `${server.origin}/${c.name}`),
      { ...common, onProgress: (p) => (traffic.test = p) },
    );

    // 3. The network.
    const model = buildModel(kind, classes, seed);
    const evaluate = async () => {
      const examples: Example[] = [];
      for await (const e of testData) examples.push(e);
      const predicted = predict(model, examples, classes);
      const confusion = MORPHOLOGIES.map(() => new Array<number>(classes).fill(0));
      examples.forEach((e, i) => confusion[e.label]![predicted[i]!]!++);
      const right = confusion.reduce((a, row, i) => a + row[i]!, 0);
      return { accuracy: right / examples.length, right, tested: examples.length, confusion };
    };

    // 4. The training loop: batches as the dataset delivers them, an evaluation after each epoch.
    const reports: EpochReport[] = [];
    let batch: Example[] = [];
    let current = 0;
    let sums = { loss: 0, accuracy: 0, steps: 0 };
    let started = performance.now();
    const step = async () => {
      if (!batch.length) return;
      const [loss, accuracy] = await trainStep(model, batch, classes);
      sums = { loss: sums.loss + loss, accuracy: sums.accuracy + accuracy, steps: sums.steps + 1 };
      batch = [];
    };
    let final = { accuracy: 0, right: 0, tested: 0, confusion: [] as number[][] };
    const endEpoch = async () => {
      await step();
      final = await evaluate();
      const r = { epoch: current, loss: sums.loss / sums.steps, trainAccuracy: sums.accuracy / sums.steps, testAccuracy: final.accuracy, seconds: (performance.now() - started) / 1000 };
      reports.push(r);
      log(`epoch ${r.epoch + 1}/${epochs}  loss ${r.loss.toFixed(3)}  train ${r.trainAccuracy.toFixed(3)}  test ${r.testAccuracy.toFixed(3)}  ${r.seconds.toFixed(1)} s`);
      sums = { loss: 0, accuracy: 0, steps: 0 };
      started = performance.now();
    };
    for await (const { value, info } of trainData.entries()) {
      if (info.epoch !== current) {
        await endEpoch();
        current = info.epoch;
      }
      batch.push(value);
      if (batch.length === batchSize) await step();
    }
    await endEpoch();

    // 5. The verdict, from the last evaluation.
    const chance = 1 / classes;
    const pValue = binomialTail(final.right, final.tested, chance);
    const skipped = trainData.failures.length + testData.failures.length;
    const bytesFromNetwork = traffic.train.bytesFromNetwork + traffic.test.bytesFromNetwork;
    const bytesFromCache = traffic.train.bytesFromCache + traffic.test.bytesFromCache;
    log(`test accuracy ${final.accuracy.toFixed(3)} on ${final.tested} cutouts (chance ${chance.toFixed(3)}; P(as good by guessing) = ${pValue.toExponential(1)})`);
    log(`confusion (rows: true ${MORPHOLOGIES.join(', ')}): ${JSON.stringify(final.confusion)}`);
    log(`server: ${server.stats.requests} requests, ${server.stats.errors500} answered 500 and ${server.stats.dropped} dropped on purpose; files skipped: ${skipped}`);
    log(`bytes from the network ${bytesFromNetwork}, from the cache ${bytesFromCache}`);
    return { accuracy: final.accuracy, chance, tested: final.tested, pValue, confusion: final.confusion, epochs: reports, server: { ...server.stats }, skipped, bytesFromNetwork, bytesFromCache };
  } finally {
    await server.close();
    await closeHttpConnections();
    await rm(dir, { recursive: true, force: true });
  }
}

// Run as a program: node train.ts [--epochs N] [--train-per-class N] [--test-per-class N] [--faults RATE] [--seed N] [--model dense|conv] [--json]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      epochs: { type: 'string' },
      'train-per-class': { type: 'string' },
      'test-per-class': { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await train({
    epochs: num(values.epochs),
    trainPerClass: num(values['train-per-class']),
    testPerClass: num(values['test-per-class']),
    faultRate: num(values.faults),
    seed: num(values.seed),
    model: values.model === 'conv' ? 'conv' : 'dense',
    log: values.json ? () => {} : console.log,
  });
  if (values.json) console.log(JSON.stringify(result));
}
