// Recursive calls: fib(25), 242,785 calls of a small function, nothing allocated.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const kernel = {
  name: 'fib',
  what: 'fib(25), recursive',
  setup() {
    return 25;
  },
  run(n) {
    return fib(n);
  },
};
