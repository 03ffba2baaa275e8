// Preloaded (`node --expose-gc --require …`) into the server a soak starts: SIGUSR2 runs a full
// garbage collection that also gives freed heap pages back to the system (V8's "last resort"
// collection, as under memory pressure; a plain gc() keeps them, so RSS would show garbage
// long gone). The soak then compares memory after collection. Not part of the platform;
// nothing else sends SIGUSR2.
process.on('SIGUSR2', () => {
  if (typeof global.gc !== 'function') return;
  global.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
});
