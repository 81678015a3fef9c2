// sensors: the aggregator. Every slave's C code posts its readings above a threshold here;
// every 5 s this logs the machine-wide picture and, when it hears too much or too little,
// calls set_threshold() on every slave to tune how much they send.
const latest = new Map(); // sensor -> {value, node, atMs}
let heard = 0;
let threshold = 20;

sdm.export('reading', (sensor, value, { node }) => {
  latest.set(sensor, { value, node, atMs: Date.now() });
  heard++;
});

// asked once by each sensor when it starts: a fixed offset per sensor name, kept in the store
sdm.export('calibrate', (sensor) => {
  const offsets = sdm.store.get('offsets') ?? {};
  if (!(sensor in offsets)) {
    offsets[sensor] = Math.round((Math.random() - 0.5) * 100) / 100;
    sdm.store.set('offsets', offsets);
  }
  return offsets[sensor];
});

sdm.every(5000, async () => {
  const values = [...latest.values()].filter((r) => Date.now() - r.atMs < 10_000).map((r) => r.value);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  console.log(`sensors: ${heard} readings in 5 s from ${values.length} sensors, mean ${mean.toFixed(2)}, ` +
    `threshold ${threshold}`);
  // aim at 5 to 20 readings in 5 s from the whole machine
  const next = heard > 20 ? threshold + 1 : heard < 5 ? threshold - 1 : threshold;
  heard = 0;
  if (next !== threshold) {
    threshold = next;
    const before = await sdm.call('set_threshold', [threshold], { timeoutMs: 2000 });
    console.log(`sensors: threshold ${threshold} on ${Object.keys(before).length} slaves`);
  }
});
