// String building: 4,000 items concatenated with += and template literals, split, mapped,
// padded, joined, searched and hashed (about 150 KB of strings per run).
function strings(items) {
  let s = '';
  for (let i = 0; i < items; i++) {
    s += 'item-' + i + ':' + ((i * 7) % 13).toString(16) + ';';
  }
  const out = [];
  for (const part of s.split(';')) {
    if (part.length > 0) {
      const [key, value] = part.split(':');
      out.push(`${key.toUpperCase().padStart(12, '.')}=${value.repeat(2)}`);
    }
  }
  const joined = out.join(',');
  let h = 0;
  for (let i = 0; i < joined.length; i += 3) {
    h = (Math.imul(h, 31) + joined.charCodeAt(i)) | 0;
  }
  return h ^ joined.length ^ joined.indexOf('ITEM-' + (items - 1)) ^ joined.lastIndexOf('.ITEM-1=');
}

const kernel = {
  name: 'strings',
  what: 'string building, 4000 items',
  setup() {
    return 4000;
  },
  run(items) {
    return strings(items);
  },
};
