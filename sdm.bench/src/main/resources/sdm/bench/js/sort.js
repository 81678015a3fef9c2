// Sorting 100,000 numbers (doubles from a seeded PRNG, the same on every side) with a
// comparator; each run sorts a fresh copy.
function numbers(count, seed) {
  const out = new Array(count);
  let a = seed >>> 0;
  for (let i = 0; i < count; i++) {
    // mulberry32
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 1e6;
  }
  return out;
}

const kernel = {
  name: 'sort',
  what: 'sort 100,000 numbers',
  setup() {
    return numbers(100000, 20240917);
  },
  run(data) {
    const a = data.slice();
    a.sort((x, y) => x - y);
    for (let i = 1; i < a.length; i += 997) {
      if (a[i - 1] > a[i]) {
        throw new Error('sort: not sorted at ' + i);
      }
    }
    return a[0] + a[a.length >> 1] + a[a.length - 1];
  },
};
