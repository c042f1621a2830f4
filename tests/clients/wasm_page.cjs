// The npm package in a real page: headless Chromium (driven by playwright-core) loads
// index.js and the .wasm from a local HTTP server, validates each case's stream in the page
// and hands back the report text; then a page uses `plotline/inspect` on a source of events
// and the console messages and the overlay are read as a person would see them.
//
// usage: node wasm_page.cjs PACKAGE_DIR CASES_JSON   (prints one JSON object)
const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

const [pkg, casesFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

function serve() {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    let file = null;
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<!doctype html><html><head><title>widget</title></head><body><p>a page with a widget</p></body></html>');
    }
    if (url.pathname.startsWith('/plotline/')) file = path.join(pkg, path.basename(url.pathname));
    if (url.pathname.startsWith('/stream/')) file = cases[Number(path.basename(url.pathname))].stream;
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404);
      return response.end();
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

(async () => {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const executablePath = process.env.PLOTLINE_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const result = { reports: [], console: [], overlay: null, finished: null };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => { throw error; });
    await page.goto(base + '/');
    for (let i = 0; i < cases.length; i += 1) {
      const { stream, options, catalog } = cases[i];
      if (catalog) {
        result.reports.push(null); // another catalog's files: Node's tests load those
        continue;
      }
      result.reports.push(await page.evaluate(async ({ i, stream, options }) => {
        const { Catalog } = await import('/plotline/index.js');
        const bytes = new Uint8Array(await (await fetch(`/stream/${i}`)).arrayBuffer());
        const validator = Catalog.builtin().validator(options, stream);
        validator.pushLines(bytes);
        validator.finish();
        return validator.reportJson();
      }, { i, stream, options }));
    }
    page.on('console', (message) => result.console.push({ type: message.type(), text: message.text() }));
    result.finished = await page.evaluate(async () => {
      const { inspect } = await import('/plotline/inspect.js');
      let take = null;
      const qa = inspect((handler) => { take = handler; });
      const event = (name, ts) => ({ lifecycle: 'callback', interaction: 'c1', event: name, ts, version: '9.0.002.06' });
      take(event('ready', 1000));
      take(event('opened', 2000));
      take(event('completed', 3000));
      take(event('opened', 4000));
      const report = qa.stop();
      return { counts: qa.counts, violations: report.summary.violations };
    });
    result.overlay = await page.textContent('[data-plotline="overlay"]');
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
