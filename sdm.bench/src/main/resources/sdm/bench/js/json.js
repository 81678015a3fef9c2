// JSON round trip: JSON.stringify then JSON.parse of a mid-size object (250 records with nested
// objects and arrays, about 110 KB of JSON), built once.
function records(count) {
  const out = [];
  let seed = 12345;
  function next() {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  }
  for (let i = 0; i < count; i++) {
    const history = [];
    for (let j = 0; j < 5; j++) {
      history.push({ at: 1700000000000 + next() % 86400000, value: (next() % 100000) / 100, ok: (next() & 1) === 1 });
    }
    out.push({
      id: i,
      name: 'user-' + i,
      email: 'user' + i + '@example.org',
      active: i % 3 !== 0,
      score: (next() % 1000000) / 1000,
      tags: ['t' + (i % 7), 't' + (i % 11), 'group-' + (i % 5)],
      address: { street: i + ' Main Street', city: 'City ' + (i % 40), zip: String(10000 + (next() % 89999)) },
      history,
      note: null,
    });
  }
  return { version: 3, generated: 'bench', records: out };
}

const kernel = {
  name: 'json',
  what: 'JSON stringify+parse, ~110 KB',
  setup() {
    return records(250);
  },
  run(data) {
    const text = JSON.stringify(data);
    const back = JSON.parse(text);
    const r = back.records[137];
    return text.length + back.records.length + r.history[2].value + r.address.zip.length + (r.active ? 1 : 0);
  },
};
