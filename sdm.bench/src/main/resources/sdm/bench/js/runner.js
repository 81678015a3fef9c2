// The runner, the same text on both sides, after a kernel file (which defines `kernel`). Only
// Date.now() is assumed (the sandbox has no performance.now()): a sample times `batch` runs of the
// kernel together, and batch doubles until a sample takes at least half of options.targetMs, so a
// 1 ms clock step is at most 1% of any measured sample. Warm-up samples run for options.warmupMs;
// then options.samples samples are timed. Each sample is one turn of the event loop (host.later
// between samples). One line is logged at the end: "BENCH-JS {json}", or "BENCH-JS-ERROR message".
function runKernel(host, options) {
  const half = options.targetMs / 2;
  const times = [];
  let state;
  let batch = 1;
  let checksum;
  let warmupRuns = 0;
  let warmupSamples = 0;
  let started;

  function sample() {
    const t = Date.now();
    let c;
    for (let i = 0; i < batch; i++) {
      c = kernel.run(state);
    }
    const ms = Date.now() - t;
    if (checksum === undefined) {
      checksum = c;
    } else if (c !== checksum) {
      throw new Error(kernel.name + ': the result changed from ' + checksum + ' to ' + c);
    }
    return ms;
  }

  function step() {
    try {
      const ms = sample();
      if (times.length === 0 && (Date.now() - started < options.warmupMs || ms < half)) {
        warmupRuns += batch;
        warmupSamples++;
        if (ms < half && batch < (1 << 30)) {
          batch *= 2;
        }
      } else {
        times.push(ms / batch);
        if (times.length >= options.samples) {
          const sorted = times.slice().sort((a, b) => a - b);
          host.log('BENCH-JS ' + JSON.stringify({
            kernel: kernel.name, what: kernel.what, bestMs: sorted[0],
            medianMs: sorted[sorted.length >> 1], batch, samplesMs: times, warmupRuns, warmupSamples,
            warmupMs: Date.now() - started - times.reduce((a, b) => a + b * batch, 0),
            checksum: String(checksum),
          }));
          return;
        }
      }
      host.later(step);
    } catch (e) {
      host.log('BENCH-JS-ERROR ' + kernel.name + ': ' + (e && e.stack ? e.stack : e));
    }
  }

  try {
    state = kernel.setup();
    started = Date.now();
    host.later(step);
  } catch (e) {
    host.log('BENCH-JS-ERROR ' + kernel.name + ' (setup): ' + (e && e.stack ? e.stack : e));
  }
}
