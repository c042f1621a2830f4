// Runs SCXML documents in SCION, a real SCXML interpreter, on a virtual clock: for each job
// (an SCXML file and scenarios of timed events), prints the state after each event.
// Usage: node scion.cjs JOBS.json  (JOBS: [{file, scenarios: [{name, events: [{name, data, ts}]}]}])
'use strict';
const fs = require('fs');
const scxml = require('@scion-scxml/scxml');

let now = 0;
let timers = [];
let sequence = 0;
globalThis.setTimeout = (fn, ms) => {
  sequence += 1;
  timers.push({ id: sequence, due: now + ms, fn });
  return sequence;
};
globalThis.clearTimeout = (id) => { timers = timers.filter((t) => t.id !== id); };
// Fires every timer due strictly before `to`, in time order, then sets the clock to `to`.
function advance(to) {
  for (;;) {
    timers.sort((a, b) => a.due - b.due || a.id - b.id);
    const next = timers[0];
    if (!next || !(next.due < to)) break;
    timers.shift();
    now = next.due;
    next.fn();
  }
  now = to;
}

function prepare(file) {
  return new Promise((resolve, reject) => {
    scxml.documentStringToModel(file, fs.readFileSync(file, 'utf8'), (error, model) => {
      if (error) return reject(error);
      model.prepare((error, fnModel) => (error ? reject(error) : resolve(fnModel)));
    });
  });
}

(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const results = [];
  for (const job of jobs) {
    const fnModel = await prepare(job.file);
    const scenarios = [];
    for (const scenario of job.scenarios) {
      timers = [];
      now = scenario.events.length ? scenario.events[0].ts : 0;
      const chart = new scxml.core.Statechart(fnModel);
      chart.start();
      const states = [];
      for (const event of scenario.events) {
        advance(event.ts);
        chart.gen({ name: event.name, data: event.data });
        states.push(chart.getConfiguration().join(' '));
      }
      scenarios.push({ name: scenario.name, states });
    }
    results.push({ file: job.file, scenarios });
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => { console.error(String(error && error.stack || error)); process.exit(1); });
