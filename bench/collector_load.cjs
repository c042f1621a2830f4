// A bounded load on a running collector from a second process: posts the lines of a JSONL
// file to POST /events in batches of B lines, C requests in flight, over keep-alive
// connections, and prints events/s. Checks that the collector counted every line.
//
// usage: node bench/collector_load.cjs URL FILE BATCH [CONCURRENCY]
const fs = require('fs');

(async () => {
  const [url, file, batchText, concurrencyText] = process.argv.slice(2);
  const batch = Number(batchText);
  const concurrency = Number(concurrencyText || 1);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const bodies = [];
  for (let i = 0; i < lines.length; i += batch) bodies.push(lines.slice(i, i + batch).join('\n'));
  await fetch(url + '/reset', { method: 'POST', headers: { 'content-type': 'application/json' } });
  let next = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    while (next < bodies.length) {
      const body = bodies[next++];
      const reply = await fetch(url + '/events', { method: 'POST', body });
      if (!reply.ok) throw new Error('status ' + reply.status);
      await reply.arrayBuffer();
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report = await (await fetch(url + '/report')).json();
  if (report.summary.lines !== lines.length) {
    throw new Error(`the collector counted ${report.summary.lines} lines of ${lines.length}`);
  }
  console.log(JSON.stringify({
    batch, concurrency, events: lines.length, seconds: Number(seconds.toFixed(3)),
    events_per_s: Math.round(lines.length / seconds),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
