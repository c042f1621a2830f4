// Drives a fake widget page (widget.html, served from http://127.0.0.1:WIDGET_PORT, an origin
// the collector allows) in headless Chromium against a running collector, with the collector's
// live page open beside it; then a page from another origin (a second local server) tries to
// read and reset the collector. Prints as JSON what they saw: the widget's verdict log, the
// live page's row for the interaction and its examples of illegal transitions, what the other
// origin's attempts gave, and any console error of the widget and live pages.
//
// usage: node live_page.cjs COLLECTOR_URL WIDGET.html WIDGET_PORT
const http = require('http');
const fs = require('fs');
const { chromium } = require('playwright-core');

// Serves `html` on 127.0.0.1:port (0: any free port); resolves to the server.
function serve(html, port) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// What a page on another origin tries against the collector, each attempt's outcome.
const HOSTILE = `<!doctype html><script>
window.attempts = (async (collector) => {
  const tried = {};
  const attempt = async (name, call) => {
    try { const r = await call(); tried[name] = r.type === 'opaque' ? 'opaque' : 'read ' + r.status; }
    catch (e) { tried[name] = 'blocked'; }
  };
  await attempt('read report', () => fetch(collector + '/report'));
  await attempt('read interaction', () => fetch(collector + '/interactions/widget-1'));
  await attempt('reset as json', () => fetch(collector + '/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  await attempt('reset blind', () => fetch(collector + '/reset', { method: 'POST', mode: 'no-cors', body: '{}' }));
  await attempt('post events blind', () => fetch(collector + '/events', { method: 'POST', mode: 'no-cors', body: '{"lifecycle":"callback","interaction":"evil-1","event":"ready","ts":1}' }));
  return tried;
})(new URLSearchParams(location.search).get('collector'));
</script>`;

(async () => {
  const [collector, widgetFile, widgetPort] = process.argv.slice(2);
  const widgetServer = await serve(fs.readFileSync(widgetFile), Number(widgetPort));
  const hostileServer = await serve(HOSTILE, 0);
  const executablePath = process.env.PLOTLINE_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const errors = [];
  const watch = (page, name) => {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(name + ': ' + m.text()); });
    page.on('pageerror', (e) => errors.push(name + ': ' + String(e)));
  };
  try {
    const live = await browser.newPage();
    watch(live, 'live page');
    await live.goto(collector + '/');
    await live.waitForFunction(() => document.getElementById('live-status').textContent === 'live');

    const widget = await browser.newPage();
    watch(widget, 'widget');
    await widget.goto('http://127.0.0.1:' + widgetPort + '/?collector=' + encodeURIComponent(collector));
    // `completed` straight after `opened` breaks the lifecycle on purpose.
    for (const [i, event] of ['ready', 'opened', 'completed'].entries()) {
      await widget.click('#fire-' + event);
      await widget.waitForFunction((n) => document.querySelectorAll('#log li').length === n, i + 1);
    }
    const widgetLog = await widget.$$eval('#log li', (items) => items.map((li) => li.textContent));

    // The live page follows by itself (server-sent events), without a reload.
    const row = '#interactions tr[data-interaction="widget-1"][data-state="completed"]';
    await live.waitForSelector(row, { timeout: 15000 });
    const seen = await live.$eval(row, (tr) => ({
      state: tr.dataset.state,
      violations: tr.querySelector('td:last-child').textContent,
    }));
    const illegal = await live.$eval('#violations details[data-kind="illegal_transition"]', (d) => d.textContent);

    const hostile = await browser.newPage();
    const hostileUrl = 'http://127.0.0.1:' + hostileServer.address().port + '/';
    await hostile.goto(hostileUrl + '?collector=' + encodeURIComponent(collector));
    const otherOrigin = await hostile.evaluate(() => window.attempts);
    console.log(JSON.stringify({ errors, widgetLog, row: seen, illegal, otherOrigin }));
  } finally {
    await browser.close();
    widgetServer.close();
    hostileServer.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
