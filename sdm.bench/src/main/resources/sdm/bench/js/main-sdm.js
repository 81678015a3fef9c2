// SDM side: runs as a program's master part (the harness puts the kernel and the runner first).
runKernel({ later: (f) => sdm.after(0, f), log: (line) => console.log(line) }, OPTIONS);
