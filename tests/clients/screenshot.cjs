// Screenshots of pages in headless Chromium (playwright-core driving the system's browser,
// PLOTLINE_CHROMIUM or /usr/bin/chromium), for the README: each URL to its PNG, 1200 px wide,
// from the top down to at most HEIGHT px of the page.
//
// usage: node screenshot.cjs HEIGHT URL PNG [URL PNG ...]
const { chromium } = require('playwright-core');

(async () => {
  const [height, ...pairs] = process.argv.slice(2);
  const executablePath = process.env.PLOTLINE_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      await page.goto(pairs[i], { waitUntil: 'networkidle' });
      const whole = await page.evaluate(() => document.documentElement.scrollHeight);
      const clip = { x: 0, y: 0, width: 1200, height: Math.min(whole, Number(height)) };
      await page.screenshot({ path: pairs[i + 1], fullPage: true, clip });
    }
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
