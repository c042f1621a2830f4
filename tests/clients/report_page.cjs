// Opens a Plotline HTML report in headless Chromium (playwright-core driving the system's
// browser, PLOTLINE_CHROMIUM or /usr/bin/chromium) and prints, as JSON, what a reader sees:
// console errors, the summary cards, violation groups, each lifecycle version's funnel,
// diagram (states and edges with their counts) and paths (by table); where the violation
// bars start; what the example filter leaves
// visible for a text; and the same page without JavaScript. Takes a screenshot from the top
// to the end of the first state diagram (README's picture is one).
//
// usage: node report_page.cjs REPORT.html SCREENSHOT.png FILTER_TEXT
const { chromium } = require('playwright-core');

function read() {
  const data = (el, name) => el.getAttribute('data-' + name);
  const num = (el, name) => Number(el.getAttribute('data-' + name));
  return {
    summary: Object.fromEntries([...document.querySelectorAll('#summary [data-name]')]
      .map((el) => [data(el, 'name'), num(el, 'count')])),
    kinds: Object.fromEntries([...document.querySelectorAll('#violations details')]
      .map((el) => [data(el, 'kind'), num(el, 'count')])),
    // Where each violation kind's bar starts, across the page.
    bars: [...document.querySelectorAll('#violations summary .bar')].map((b) => b.getBoundingClientRect().left),
    versions: [...document.querySelectorAll('section.version')].map((section) => ({
      lifecycle: data(section, 'lifecycle'),
      version: data(section, 'version'),
      funnel: [...section.querySelectorAll('table.funnel tbody tr')].map((row) => ({
        state: data(row, 'state'), reached: num(row, 'reached'), stopped: num(row, 'stopped'),
      })),
      states: [...section.querySelectorAll('svg g.state')].map((g) => ({
        state: data(g, 'state'), violations: num(g, 'violations'),
        box: g.querySelector('rect').getBoundingClientRect().width > 0,
      })),
      edges: [...section.querySelectorAll('svg g.edge')].map((g) => ({
        from: data(g, 'from'), to: data(g, 'to'), count: num(g, 'count'),
        drawn: g.querySelector('path').getTotalLength() > 0,
      })),
      paths: [...section.querySelectorAll('table.paths')].map((table) => ({
        title: table.previousElementSibling.previousElementSibling.textContent,
        counts: [...table.querySelectorAll('tbody tr')].map((row) => num(row, 'count')),
      })),
    })),
  };
}

(async () => {
  const [file, screenshot, filterText] = process.argv.slice(2);
  const executablePath = process.env.PLOTLINE_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push('request ' + r.url()); });
    await page.goto('file://' + file);
    const seen = await page.evaluate(read);
    const filterShown = await page.locator('#filter').isVisible();
    await page.locator('#filter').fill(filterText);
    const visibleRows = await page.locator('#violations tbody tr:not(.hidden)').count();
    const visibleGroups = await page.locator('#violations details:not(.hidden)').count();
    await page.locator('#filter').fill('');
    // From the top to the end of the first state diagram: summary, kinds, funnel, diagram.
    const end = await page.evaluate(() => {
      const diagram = document.querySelector('svg.diagram');
      return diagram ? diagram.getBoundingClientRect().bottom + window.scrollY + 16 : 900;
    });
    await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: end } });

    const plain = await browser.newContext({ javaScriptEnabled: false });
    const still = await plain.newPage();
    await still.goto('file://' + file);
    const withoutScript = {
      filterShown: await still.locator('#filter').isVisible(),
      funnels: await still.locator('table.funnel').count(),
      diagrams: await still.locator('svg.diagram').count(),
      summaryShown: await still.locator('#summary').isVisible(),
    };
    console.log(JSON.stringify({ errors, seen, filterShown, visibleRows, visibleGroups, withoutScript }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
