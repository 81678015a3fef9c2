// Evaluated first in every program's context. It builds the global `sdm` (docs/contract.md §5) over the
// host's system calls, which take and return strings, numbers and functions only: the program
// never holds a host object. `host` is the only reference to the system calls and lives in
// this closure; the global that carried it in is gone before the program's code runs.
(function (host) {
  'use strict';
  const stringify = JSON.stringify, parse = JSON.parse, freeze = Object.freeze;
  const define = Object.defineProperty, PromiseCtor = Promise, ErrorCtor = Error;

  class PrivilegeError extends ErrorCtor {
    constructor(message) {
      super(message);
      this.name = 'PrivilegeError';
    }
  }

  // a host answer is "ok:JSON" or "error:KIND:MESSAGE"; errors become JS exceptions here
  function answer(text) {
    if (text.startsWith('ok:')) {
      const json = text.substring(3);
      return json === '' ? undefined : parse(json);
    }
    const rest = text.substring(6);
    const colon = rest.indexOf(':');
    const kind = rest.substring(0, colon), message = rest.substring(colon + 1);
    if (kind === 'PrivilegeError') throw new PrivilegeError(message);
    if (kind === 'TypeError') throw new TypeError(message);
    if (kind === 'RangeError') throw new RangeError(message);
    throw new ErrorCtor(message);
  }

  function json(value, what) {
    const text = stringify(value === undefined ? null : value);
    if (text === undefined) throw new TypeError(what + ' must be plain data (JSON)');
    return text;
  }

  function remote(start) {
    return new PromiseCtor((resolve, reject) => {
      start((text) => {
        try {
          resolve(answer(text));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  function callable(f, what) {
    if (typeof f !== 'function') throw new TypeError(what + ' must be a function');
    return f;
  }

  const handlers = { nodeUp: [], nodeDown: [], stop: [] };
  host.dispatcher((event, data) => {
    const value = parse(data);
    for (const f of handlers[event].slice()) f(value);
  });

  // the program's exports to its C code: run by the host as turns of the loop, each answered
  // once with its value (checked against the declared return type) or its error
  const exported = new Map();
  const INT_MIN = -2147483648, INT_MAX = 2147483647;
  const LONG_MIN = -(2n ** 63n), LONG_MAX = 2n ** 63n - 1n;
  function kindOf(v) {
    return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object'
      : 'a ' + typeof v;
  }
  function typed(v, returns) {
    switch (returns) {
      case 'void': return 'null';
      case 'int': if (typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) return stringify(v); break;
      case 'long':
        if (typeof v === 'number' && Number.isSafeInteger(v)) return stringify(v);
        if (typeof v === 'bigint' && v >= LONG_MIN && v <= LONG_MAX) return String(v);
        break;
      case 'double': if (typeof v === 'number') return stringify(Number.isFinite(v) ? v : null); break;
      case 'bool': if (typeof v === 'boolean') return stringify(v); break;
      case 'string': if (typeof v === 'string') return stringify(v); break;
    }
    return undefined;
  }
  function failure(e) {
    if (e instanceof ErrorCtor) return e.name + ': ' + e.message;
    return 'threw ' + text(e);
  }
  host.exporter((id, name, argsJson, node, returns) => {
    const f = exported.get(name);
    const settle = (value) => {
      const t = typed(value, returns);
      if (t === undefined) host.exportDone(id, 'wrong', name + '() returned ' + kindOf(value) + ', not ' + returns);
      else host.exportDone(id, 'ok', t);
    };
    let value;
    try {
      value = f(...parse(argsJson), freeze({ node }));
    } catch (e) {
      host.exportDone(id, 'threw', failure(e));
      return;
    }
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      PromiseCtor.resolve(value).then(settle, (e) => host.exportDone(id, 'threw', failure(e)));
    } else {
      settle(value);
    }
  });

  const store = freeze({
    get: (key) => answer(host.storeGet(String(key))),
    set: (key, value) => answer(host.storeSet(String(key), json(value, 'a stored value'))),
    remove: (key) => answer(host.storeRemove(String(key))),
    keys: () => answer(host.storeKeys()),
  });

  const programs = freeze({
    install: (archive, options) => remote((done) => answer(host.control('install', String(archive),
        json(options || {}, 'options'), done))),
    start: (name) => remote((done) => answer(host.control('start', String(name), '{}', done))),
    stop: (name) => remote((done) => answer(host.control('stop', String(name), '{}', done))),
    uninstall: (name) => remote((done) => answer(host.control('uninstall', String(name), '{}', done))),
  });

  const sdm = freeze({
    self: () => answer(host.self()),
    master: () => answer(host.master()),
    nodes: () => answer(host.nodes()),
    offline: () => answer(host.offline()),
    call: (fn, args, options) => remote((done) => answer(host.call(String(fn), json(args || [], 'args'),
        json(options || {}, 'options'), done))),
    every: (ms, f) => answer(host.every(Number(ms), callable(f, 'the timer'))),
    after: (ms, f) => answer(host.after(Number(ms), callable(f, 'the timer'))),
    cancel: (id) => answer(host.cancel(Number(id))),
    export: (name, f) => {
      callable(f, 'an export');
      answer(host.export(String(name)));
      exported.set(String(name), f);
    },
    on: (event, f) => {
      if (!Object.prototype.hasOwnProperty.call(handlers, event)) {
        throw new TypeError("unknown event '" + event + "' (nodeUp, nodeDown, stop)");
      }
      handlers[event].push(callable(f, 'the handler'));
    },
    store,
    programs,
    PrivilegeError,
  });

  function text(value) {
    if (typeof value === 'string') return value;
    try {
      const s = stringify(value);
      return s === undefined ? String(value) : s;
    } catch (e) {
      return String(value);
    }
  }

  const console = freeze({
    log: (...values) => answer(host.log(values.map(text).join(' '))),
  });

  define(globalThis, 'sdm', { value: sdm, writable: false, enumerable: false, configurable: false });
  define(globalThis, 'console', { value: console, writable: false, enumerable: false, configurable: false });
  define(globalThis, 'PrivilegeError', { value: PrivilegeError, writable: false, enumerable: false, configurable: false });
})(globalThis.__sdm_host);
delete globalThis.__sdm_host;
