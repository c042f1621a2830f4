// Drives a fake widget page (widget.html) in headless Chromium against a running collector,
// with the collector's live page open beside it, and prints as JSON what both show: the
// widget's verdict log, the live page's row for the interaction and its examples of
// illegal transitions, and any console error.
//
// usage: node live_page.cjs COLLECTOR_URL WIDGET.html
const { chromium } = require('playwright-core');

(async () => {
  const [collector, widgetFile] = process.argv.slice(2);
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
    await widget.goto('file://' + widgetFile + '?collector=' + encodeURIComponent(collector));
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
    console.log(JSON.stringify({ errors, widgetLog, row: seen, illegal }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
