// Checks the kernel's JSON.parse against GraalJS's builtin one, which `builtinParse` holds: the
// same values (prototypes, own keys in order, property attributes, -0), the same errors. The
// last expression is the differences found, one line each.
(function () {
  'use strict';
  const ours = JSON.parse;
  const differences = [];
  let seed = 20261202;
  function random(n) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  }

  function same(a, b, path) {
    if (typeof a !== typeof b) return path + ': ' + typeof a + ' against ' + typeof b;
    if (typeof a !== 'object' || a === null || b === null) {
      return Object.is(a, b) ? null : path + ': ' + String(a) + ' against ' + String(b);
    }
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return path + ': another prototype';
    const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
    if (ka.join('\u0000') !== kb.join('\u0000')) return path + ': keys ' + ka.join(',') + ' against ' + kb.join(',');
    for (const k of ka) {
      const da = Object.getOwnPropertyDescriptor(a, k), db = Object.getOwnPropertyDescriptor(b, k);
      if (da.writable !== db.writable || da.enumerable !== db.enumerable || da.configurable !== db.configurable
          || 'get' in da || 'get' in db) {
        return path + '.' + String(k) + ': other attributes';
      }
      const d = same(da.value, db.value, path + '.' + String(k));
      if (d !== null) return d;
    }
    return null;
  }

  function check(text, reviver) {
    let expected, actual;
    try {
      expected = { value: builtinParse(text, reviver) };
    } catch (e) {
      expected = { error: String(e) };
    }
    try {
      actual = { value: ours(text, reviver) };
    } catch (e) {
      actual = { error: String(e) };
    }
    const label = typeof text === 'string' ? JSON.stringify(text.length > 80 ? text.slice(0, 80) + '...' : text) : String(text);
    if ('error' in expected || 'error' in actual) {
      if (expected.error !== actual.error) differences.push(label + ': ' + actual.error + ' against ' + expected.error);
      return;
    }
    const d = same(actual.value, expected.value, '$');
    if (d !== null) differences.push(label + ': ' + d);
  }

  const KEYS = ['id', 'name', 'a', 'b', '0', '1', '10', '', ' ', 'é', '__proto__', 'constructor', 'toString',
    'x\ny', 'q"uote', 'back\\slash', '\u2028', '\ud83d\ude00', '-1', '4294967295', '4294967294'];
  const STRINGS = ['', 'plain', 'tab\there', 'nl\n', 'quote"', 'slash/', 'back\\', '\u0000\u001f', '\u007f',
    '\u00e9\u4e2d', '\ud800', '\udfff', '\ud83d\ude00', '\u2028\u2029', 'x'.repeat(300)];
  function number() {
    switch (random(9)) {
      case 0: return random(1000);
      case 1: return -random(1 << 30);
      case 2: return random(1000000) / 1000;
      case 3: return -random(100000000) / Math.pow(10, random(12));
      case 4: return Math.pow(2, random(80)) + random(10);
      case 5: return random(1000) * Math.pow(10, random(40) - 20);
      case 6: return [0, -0, 0.1, 0.2, 0.3, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 9007199254740993][random(10)];
      case 7: return Number.MAX_SAFE_INTEGER - random(3);
      default: return random(1 << 30) / 7;
    }
  }
  function value(depth) {
    switch (random(depth > 4 ? 4 : 7)) {
      case 0: return number();
      case 1: return STRINGS[random(STRINGS.length)] + (random(2) ? String(random(100)) : '');
      case 2: return [true, false, null][random(3)];
      case 3: return random(3) === 0 ? KEYS[random(KEYS.length)] : number();
      case 4: case 5: {
        const o = {};
        const n = random(6);
        for (let i = 0; i < n; i++) Object.defineProperty(o, KEYS[random(KEYS.length)], { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        return o;
      }
      default: {
        const a = [];
        const n = random(6);
        for (let i = 0; i < n; i++) a.push(value(depth + 1));
        return a;
      }
    }
  }

  // generated documents, compact and indented
  for (let i = 0; i < 3000; i++) {
    const text = JSON.stringify(value(0), null, [undefined, 1, '\t', ' \r\n '.slice(0, 0)][random(4)]);
    check(text);
  }
  // records of one shape, as the bench has them, and objects the key tree has no room for
  const records = [];
  for (let i = 0; i < 200; i++) records.push({ id: i, name: 'n' + i, score: i / 8, tags: ['a', 'b'], at: { x: -i, y: i * 1e-3 } });
  check(JSON.stringify(records));
  const wide = {};
  for (let i = 0; i < 300; i++) wide['k' + i] = i;
  check(JSON.stringify(wide));
  const many = [];
  for (let i = 0; i < 3000; i++) many.push({ ['f' + i]: i, ['g' + (i % 40)]: [i], same: i });
  check(JSON.stringify(many));
  check(JSON.stringify(many));

  // hand-written texts: numbers, whitespace, escapes, duplicates, order, and malformed ones
  const TEXTS = ['0', '-0', '-0.0', '1E5', '1e+5', '1e-5', '2.5E-3', '0.1', '0.30000000000000004', '123456789012345',
    '1234567890123456', '12345678901234567890', '9007199254740993', '0.000000000000000000001', '1.5e308', '1e400',
    '-1e-400', '  \t\r\n 7 \n', '"\\u0041\\u00e9\\ud83d\\ude00\\uD800"', '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"',
    '{"a":1,"b":2,"a":3}', '{"b":1,"2":2,"1":3,"a":4}', '{"__proto__":{"x":1}}', '[{"__proto__":[]}, {"a":{"__proto__":null}}]',
    '{"":0,"\\u0000":1}', '{ "a" : [ 1 , { } , [ ] ] }', '[]', '{}', '""', 'true', 'false', 'null',
    '', ' ', '01', '-', '1.', '.5', '+1', '1e', '1e+', '0x10', 'NaN', 'Infinity', '[1,]', '{"a":1,}', '{a:1}',
    "'x'", '"\\x41"', '"\\u12"', '"\\u12g4"', '"a\u0001b"', '"\n"', '"abc', '[1 2]', '{"a" 1}', '{"a":1 "b":2}',
    'tru', 'nul', 'true false', '[' .repeat(20) + ']'.repeat(20), '['.repeat(100000), '{"a":' .repeat(3000) + '1' + '}'.repeat(3000),
    '[1]x', '\u00a01', '"\\', '{"a":1', '[1,2', '{"a"', '"\u2028"'];
  for (const t of TEXTS) check(t);
  // not strings, and revivers
  for (const v of [1, null, undefined, true, { toString: () => '[3]' }, ['4']]) check(v);
  check('{"a":[1,2],"b":{"c":3}}', (k, v) => (typeof v === 'number' ? v * 2 : v));

  // a setter on Object.prototype is never run, and a replaced String method cannot mislead it
  let setterRuns = 0;
  Object.defineProperty(Object.prototype, 'trap', { set() { setterRuns++; }, configurable: true });
  check('{"trap":1,"x":{"trap":2}}');
  const wider = {};
  for (let i = 0; i < 80; i++) wider['w' + i] = i;
  Object.defineProperty(wider, 'trap', { value: 'late', enumerable: true, writable: true, configurable: true });
  check(JSON.stringify(wider));
  delete Object.prototype.trap;
  if (setterRuns !== 0) differences.push('a setter on Object.prototype ran ' + setterRuns + ' times');
  const slice = String.prototype.slice;
  String.prototype.slice = function () { return 'forged'; };
  check('{"name":"real"}');
  String.prototype.slice = slice;
  return differences.join("\n");
})();
