// Evaluated first in every program's context: JSON.parse becomes a parser in JavaScript, which
// the compiler specializes, in front of GraalJS's builtin one (Java code that builds every object
// property by property through generic lookups, about 3x Node.js's time on SDM's bench).
//
// Two things make it fast. An object is built by a small function whose body is an object
// literal of its keys in order, so it is born with its final shape; the functions hang off a
// tree of the key sequences seen, and each node of the tree remembers the key that followed it
// last time, so a run of records of one shape is read by comparing text, with no key string
// made. Numbers of at most 15 digits are computed from their digits (exact, and a quotient of
// two exact doubles is correctly rounded); longer ones go through Number().
//
// The result is the builtin's in every case. Objects are built by defining properties, as the
// builtin does, never by assignment (which would run a setter of Object.prototype or set the
// prototype for "__proto__"): the functions return object literals, and an object that the tree
// has no room for is defined key by key (arrays are filled by push, which only an index setter
// put on Array.prototype could tell apart). What this parser does not take on (a reviver, malformed
// text, a program that replaced a String or Array method this code calls) goes to the builtin,
// which also gives the exact SyntaxError.
(function () {
  'use strict';
  const builtinParse = JSON.parse, builtinStringify = JSON.stringify, FunctionCtor = Function;
  const StringProto = String.prototype, ArrayProto = Array.prototype;
  const charCodeAt = StringProto.charCodeAt, slice = StringProto.slice;
  const startsWith = StringProto.startsWith, push = ArrayProto.push;
  const createDict = Object.create, defineProperty = Object.defineProperty;
  const fromCharCode = String.fromCharCode;
  const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
    1e15];
  // bounds on what the key tree may hold in one program
  const MAX_NODES = 1024, MAX_KEYS = 64, MAX_FANOUT = 32;
  const UNTAKEN = {};

  function KeyNode(parent, key, depth) {
    this.parent = parent;
    this.key = key;
    this.depth = depth;
    this.children = null;
    this.fanout = 0;
    this.lastKey = null;
    this.lastChild = null;
    this.make = null;
  }
  const root = new KeyNode(null, null, 0);
  let nodes = 0;

  let text = '', at = 0;

  function untaken() {
    throw UNTAKEN;
  }

  function space() {
    let c = text.charCodeAt(at);
    while (c === 32 || c === 10 || c === 13 || c === 9) {
      c = text.charCodeAt(++at);
    }
    return c;
  }

  function string() {
    const start = ++at;
    let c = text.charCodeAt(at);
    while (c !== 34) {
      if (c === 92) return escaped(start);
      // a control character or the end of the text (NaN)
      if (c < 32 || c !== c) untaken();
      c = text.charCodeAt(++at);
    }
    return text.slice(start, at++);
  }

  function escaped(start) {
    let out = text.slice(start, at);
    let c = text.charCodeAt(at);
    for (;;) {
      if (c === 34) {
        at++;
        return out;
      }
      if (c === 92) {
        out += unescape(text.charCodeAt(++at));
        start = ++at;
      } else {
        untaken();
      }
      c = text.charCodeAt(at);
      while (c !== 34 && c !== 92 && c >= 32) c = text.charCodeAt(++at);
      out += text.slice(start, at);
    }
  }

  function unescape(c) {
    switch (c) {
      case 34: return '"';
      case 92: return '\\';
      case 47: return '/';
      case 98: return '\b';
      case 102: return '\f';
      case 110: return '\n';
      case 114: return '\r';
      case 116: return '\t';
      case 117: {
        let code = 0;
        for (let k = 1; k <= 4; k++) {
          const h = text.charCodeAt(at + k);
          const d = h >= 48 && h <= 57 ? h - 48
              : h >= 97 && h <= 102 ? h - 87
              : h >= 65 && h <= 70 ? h - 55 : -1;
          if (d < 0) untaken();
          code = code * 16 + d;
        }
        at += 4;
        return fromCharCode(code);
      }
      default: return untaken();
    }
  }

  function number() {
    const start = at;
    let c = text.charCodeAt(at);
    const negative = c === 45;
    if (negative) c = text.charCodeAt(++at);
    let m = 0, digits = 0, fraction = 0;
    if (c === 48) {
      c = text.charCodeAt(++at);
    } else if (c >= 49 && c <= 57) {
      do {
        m = m * 10 + (c - 48);
        digits++;
        c = text.charCodeAt(++at);
      } while (c >= 48 && c <= 57);
    } else {
      untaken();
    }
    if (c === 46) {
      c = text.charCodeAt(++at);
      if (!(c >= 48 && c <= 57)) untaken();
      do {
        m = m * 10 + (c - 48);
        digits++;
        fraction++;
        c = text.charCodeAt(++at);
      } while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      c = text.charCodeAt(++at);
      if (c === 43 || c === 45) c = text.charCodeAt(++at);
      if (!(c >= 48 && c <= 57)) untaken();
      do {
        c = text.charCodeAt(++at);
      } while (c >= 48 && c <= 57);
      return +text.slice(start, at);
    }
    if (digits > 15) return +text.slice(start, at);
    const v = fraction === 0 ? m : m / POW10[fraction];
    return negative ? -v : v;
  }

  function word(w, value) {
    if (!text.startsWith(w, at)) untaken();
    at += w.length;
    return value;
  }

  function value(c) {
    switch (c) {
      case 123: return object();
      case 91: return array();
      case 34: return string();
      case 116: return word('true', true);
      case 102: return word('false', false);
      case 110: return word('null', null);
      default: return number();
    }
  }

  function array() {
    at++;
    const out = [];
    let c = space();
    if (c === 93) {
      at++;
      return out;
    }
    for (;;) {
      out.push(value(c));
      c = space();
      if (c === 44) {
        at++;
        c = space();
      } else if (c === 93) {
        at++;
        return out;
      } else {
        untaken();
      }
    }
  }

  function object() {
    at++;
    let c = space();
    if (c === 125) {
      at++;
      return {};
    }
    const values = [];
    let node = root;
    for (;;) {
      if (c !== 34) untaken();
      const expected = node.lastKey;
      if (expected !== null && text.charCodeAt(at + 1 + expected.length) === 34
          && text.startsWith(expected, at + 1)) {
        at += expected.length + 2;
        node = node.lastChild;
      } else {
        const key = string();
        const next = child(node, key);
        if (next === null) return rest(node, values, key);
        node = next;
      }
      values.push(member());
      c = space();
      if (c === 44) {
        at++;
        c = space();
      } else if (c === 125) {
        at++;
        break;
      } else {
        untaken();
      }
    }
    if (node.make === null) node.make = maker(node);
    return node.make(values);
  }

  function member() {
    if (space() !== 58) untaken();
    at++;
    return value(space());
  }

  // the key tree has no room for this object: it is built property by property, from key
  function rest(node, values, key) {
    const out = {};
    const path = [];
    for (let n = node; n !== root; n = n.parent) path.push(n);
    for (let k = path.length - 1; k >= 0; k--) define(out, path[k].key, values[path[k].depth - 1]);
    for (;;) {
      define(out, key, member());
      let c = space();
      if (c === 125) {
        at++;
        return out;
      }
      if (c !== 44) untaken();
      at++;
      if (space() !== 34) untaken();
      key = string();
    }
  }

  function define(o, key, v) {
    defineProperty(o, key, {
      __proto__: null, value: v, writable: true, enumerable: true, configurable: true,
    });
  }

  function child(node, key) {
    if (key === '__proto__' || node.depth >= MAX_KEYS) return null;
    if (node.children === null) node.children = createDict(null);
    let next = node.children[key];
    if (next === undefined) {
      if (nodes >= MAX_NODES || node.fanout >= MAX_FANOUT) return null;
      next = new KeyNode(node, key, node.depth + 1);
      node.children[key] = next;
      node.fanout++;
      nodes++;
    }
    node.lastKey = key;
    node.lastChild = next;
    return next;
  }

  function maker(node) {
    let body = '';
    for (let n = node; n !== root; n = n.parent) {
      const entry = builtinStringify(n.key) + ': v[' + (n.depth - 1) + ']';
      body = body === '' ? entry : entry + ', ' + body;
    }
    return new FunctionCtor('v', "'use strict'; return {" + body + '};');
  }

  function intact() {
    return StringProto.charCodeAt === charCodeAt && StringProto.slice === slice
        && StringProto.startsWith === startsWith && ArrayProto.push === push;
  }

  function parse(source, reviver) {
    if (typeof source !== 'string' || reviver !== undefined || !intact()) {
      return builtinParse(source, reviver);
    }
    const outerText = text, outerAt = at;
    text = source;
    at = 0;
    try {
      const result = value(space());
      space();
      if (at !== source.length) untaken();
      return result;
    } catch (e) {
      return builtinParse(source);
    } finally {
      text = outerText;
      at = outerAt;
    }
  }

  JSON.parse = parse;
})();
