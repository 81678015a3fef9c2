// Runs on the master once the JavaScript runtime exists (kernel emulation issue).
console.log("hello: started");
sdm.every(5000, async () => {
  const sums = await sdm.call("add", [2, 3]);
  console.log("2 + 3 on every slave:", JSON.stringify(sums));
});
