// census: every second, asks every slave for ping() and logs how many of the online ones
// answered; remembers in sdm.store how many times it has started, across master restarts.
const runs = (sdm.store.get('runs') ?? 0) + 1;
sdm.store.set('runs', runs);
console.log(`census: run ${runs}, ${sdm.nodes().length} slaves known`);

let round = 0;
sdm.every(1000, async () => {
  round++;
  const answers = await sdm.call('ping', [round], { timeoutMs: 800 });
  const answered = Object.values(answers).filter((v) => typeof v === 'number').length;
  const online = sdm.nodes().filter((n) => n.online).length;
  console.log(`census: round ${round}: ${answered} of ${online} online slaves answered`);
  sdm.store.set('lastRound', round);
});

sdm.on('nodeDown', (n) => console.log(`census: node ${n.name} down`));
sdm.on('nodeUp', (n) => console.log(`census: node ${n.name} up`));
sdm.on('stop', () => console.log(`census: stopping after round ${round}`));
