// Node.js side: `node FILE '{"warmupMs":...,"samples":...,"targetMs":...}'`.
runKernel({ later: (f) => setImmediate(f), log: (line) => console.log(line) }, JSON.parse(process.argv[2]));
