// Measures SVG state diagrams as headless Chromium draws them (playwright-core driving the
// system's browser, PLOTLINE_CHROMIUM or /usr/bin/chromium) and prints, as JSON, each
// drawing's defects:
//   clipped         a text or a state's box not wholly inside the picture
//   label_overlap   two texts' boxes overlap (a state's name and its note aside)
//   label_on_state  an edge's text over a state's box, or a state's text over another's
//   edge_on_state   an edge's line inside a state's box (its own ends included)
//   edge_on_label   an edge's line through a text's box (its own label included)
//   edges_stacked   two edges within 1 px of each other along 12 px or more (a shared
//                   stretch: lines that cross at over 13 degrees are that close for less)
// Texts are measured by their boxes as laid out (getBBox), states by their rects, edges by
// points every pixel of their paths.
//
// usage: node diagram_defects.cjs A.svg [B.svg ...]
const fs = require('fs');
const { chromium } = require('playwright-core');

function measure() {
  const svg = document.querySelector('svg');
  const view = svg.viewBox.baseVal;
  const box = (el) => { const b = el.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
  const shrink = (b, by) => ({ x: b.x + by, y: b.y + by, w: b.w - 2 * by, h: b.h - 2 * by });
  const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const inside = (p, b) => p.x > b.x && p.x < b.x + b.w && p.y > b.y && p.y < b.y + b.h;
  const states = [...svg.querySelectorAll('g.state')].map((g) => ({
    name: g.getAttribute('data-state'),
    rect: box(g.querySelector('rect')),
    texts: [...g.querySelectorAll(':scope > text')].map((t) => ({ text: t.textContent, box: box(t) })),
  }));
  const edges = [...svg.querySelectorAll('g.edge')].map((g, i) => {
    const path = g.querySelector('path');
    const length = path.getTotalLength();
    const points = [];
    for (let at = 0; at <= length; at += 1) {
      const p = path.getPointAtLength(at);
      points.push({ x: p.x, y: p.y });
    }
    const text = g.querySelector('text');
    return {
      name: `${g.getAttribute('data-from')} -> ${g.getAttribute('data-to')} (${text.textContent})`,
      index: i, points, text: { text: text.textContent, box: box(text) },
    };
  });
  // Each edge's points by the 1 px cell they are in, to find those near a point quickly.
  for (const e of edges) {
    e.cells = new Map();
    for (const p of e.points) {
      const key = Math.floor(p.x) + ',' + Math.floor(p.y);
      if (!e.cells.has(key)) e.cells.set(key, []);
      e.cells.get(key).push(p);
    }
  }
  const nearby = (e, p) => {
    const found = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        found.push(...(e.cells.get((Math.floor(p.x) + dx) + ',' + (Math.floor(p.y) + dy)) || []));
      }
    }
    return found;
  };
  const defects = [];
  const texts = [
    ...states.flatMap((s, i) => s.texts.map((t) => ({ ...t, owner: 's' + i }))),
    ...edges.map((e) => ({ ...e.text, owner: 'e' + e.index })),
  ];
  const within = (b) => b.x >= view.x - 0.5 && b.y >= view.y - 0.5 &&
    b.x + b.w <= view.x + view.width + 0.5 && b.y + b.h <= view.y + view.height + 0.5;
  for (const t of texts) if (!within(t.box)) defects.push({ kind: 'clipped', what: t.text });
  for (const s of states) if (!within(s.rect)) defects.push({ kind: 'clipped', what: s.name });
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (texts[i].owner !== texts[j].owner && overlap(shrink(texts[i].box, 0.5), shrink(texts[j].box, 0.5))) {
        defects.push({ kind: 'label_overlap', what: `${texts[i].text} / ${texts[j].text}` });
      }
    }
  }
  states.forEach((s, i) => {
    for (const t of texts) {
      if (t.owner !== 's' + i && overlap(shrink(t.box, 0.5), s.rect)) {
        defects.push({ kind: 'label_on_state', what: `${t.text} / ${s.name}` });
      }
    }
  });
  for (const e of edges) {
    for (const s of states) {
      const hits = e.points.filter((p) => inside(p, shrink(s.rect, 2))).length;
      if (hits > 0) defects.push({ kind: 'edge_on_state', what: `${e.name} / ${s.name}`, points: hits });
    }
    for (const t of texts) {
      const hits = e.points.filter((p) => inside(p, shrink(t.box, 1))).length;
      if (hits > 0) defects.push({ kind: 'edge_on_label', what: `${e.name} / ${t.text}`, points: hits });
    }
  }
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      // The longest run of consecutive points within 1 px of the other edge.
      let run = 0, longest = 0;
      for (const p of edges[i].points) {
        const near = nearby(edges[j], p).some((q) => Math.abs(p.x - q.x) < 1 && Math.abs(p.y - q.y) < 1);
        run = near ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      if (longest >= 12) defects.push({ kind: 'edges_stacked', what: `${edges[i].name} / ${edges[j].name}`, points: longest });
    }
  }
  return { width: view.width, height: view.height, states: states.length, edges: edges.length, defects };
}

(async () => {
  const files = process.argv.slice(2);
  const executablePath = process.env.PLOTLINE_CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const results = {};
    for (const file of files) {
      await page.setContent(`<!doctype html><body style="margin:0">${fs.readFileSync(file, 'utf8')}</body>`);
      results[file] = await page.evaluate(measure);
    }
    console.log(JSON.stringify(results));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
