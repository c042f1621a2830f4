// A bounded load on a running collector from a second process: posts the lines of a JSONL
// file to POST /events in batches of B lines, C requests in flight, over keep-alive
// connections, and prints events/s and the latency of each POST (p50, p99).
//
// Once through the file (the default), it checks that the collector counted every line. With
// SECONDS it posts the file again and again for that long (the collector keeps judging: the
// same interactions come back, so violations and logs pile up, as on a long session).
//
// usage: node bench/collector_load.cjs URL FILE BATCH [CONCURRENCY] [SECONDS]
const fs = require('fs');

(async () => {
  const [url, file, batchText, concurrencyText, secondsText] = process.argv.slice(2);
  const batch = Number(batchText);
  const concurrency = Number(concurrencyText || 1);
  const duration = secondsText ? Number(secondsText) * 1e9 : 0;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const bodies = [];
  for (let i = 0; i < lines.length; i += batch) bodies.push(lines.slice(i, i + batch).join('\n'));
  const sizes = bodies.map((body) => body.split('\n').length);
  await fetch(url + '/reset', { method: 'POST', headers: { 'content-type': 'application/json' } });
  let next = 0;
  let posted = 0;
  const latencies = [];
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started);
  async function worker() {
    for (;;) {
      if (duration === 0 && next >= bodies.length) return;
      if (duration > 0 && elapsed() >= duration) return;
      const index = next++ % bodies.length;
      const sent = process.hrtime.bigint();
      const reply = await fetch(url + '/events', { method: 'POST', body: bodies[index] });
      if (!reply.ok) throw new Error('status ' + reply.status);
      await reply.arrayBuffer();
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      posted += sizes[index];
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = elapsed() / 1e9;
  const report = await (await fetch(url + '/report?limit=0')).json();
  if (report.summary.lines !== posted) {
    throw new Error(`the collector counted ${report.summary.lines} lines of ${posted}`);
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(JSON.stringify({
    batch, concurrency, events: posted, seconds: Number(seconds.toFixed(3)),
    events_per_s: Math.round(posted / seconds),
    p50_ms: Number(at(0.5).toFixed(2)), p99_ms: Number(at(0.99).toFixed(2)),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
