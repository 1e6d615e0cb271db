#!/usr/bin/env node
// Choosing places on a comparison page, as a reader does it:
//
//   node picker.mjs PAGE_URL
//
// Ticks the first two places; the chart must then show a bar for each of their figures and
// the table only their rows; the address must name them. After a reload, the same two places
// must still be chosen and shown. Exit status 0 only when all of this holds.

import { launch } from './browser.mjs';

const url = process.argv[2];
if (!url) {
  console.error('usage: node picker.mjs PAGE_URL');
  process.exit(2);
}

const failures = [];
const fail = (m) => failures.push(m);

async function state(page) {
  return page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll('table.figures tbody tr[data-id]'));
    const visible = rows.filter((r) => !r.hidden).map((r) => r.getAttribute('data-id'));
    const chart = document.querySelector('.picked-chart');
    const svg = chart && chart.querySelector('svg');
    return {
      checked: Array.from(document.querySelectorAll('.picker-options input:checked')).map((b) => b.value),
      visible,
      total: rows.length,
      chartShown: !!chart && !chart.hidden,
      bars: svg ? svg.querySelectorAll('rect').length : 0,
      role: svg ? svg.getAttribute('role') : null,
      desc: svg && svg.querySelector('desc') ? svg.querySelector('desc').textContent : '',
      allChartsHidden: document.querySelector('.all-charts').hidden,
      search: window.location.search,
    };
  });
}

function judge(s, ids, when) {
  if (s.checked.join() !== ids.join()) fail(`${when}: checked ${s.checked} instead of ${ids}`);
  if (s.visible.length === 0) fail(`${when}: no row shown`);
  const others = s.visible.filter((id) => !ids.includes(id));
  if (others.length) fail(`${when}: rows of other places shown: ${others.slice(0, 5)}`);
  for (const id of ids) if (!s.visible.includes(id)) fail(`${when}: no row of ${id}`);
  if (!s.chartShown) fail(`${when}: the chart of the chosen places is not shown`);
  if (s.bars !== s.visible.length) fail(`${when}: ${s.bars} bars for ${s.visible.length} rows`);
  if (s.role !== 'img') fail(`${when}: the chart has no role="img"`);
  if (!s.allChartsHidden) fail(`${when}: the charts of every place are still shown`);
  if (!decodeURIComponent(s.search).includes(`places=${ids.join(',')}`)) fail(`${when}: the address is ${s.search}`);
}

const { context, close } = await launch();
try {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  await page.waitForSelector('.picker:not([hidden])');
  const before = await state(page);
  if (before.visible.length !== before.total) fail('before a choice, not every row is shown');
  const ids = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.picker-options input')).slice(0, 2).map((b) => b.value));
  for (const id of ids) await page.check(`.picker-options input[value="${id}"]`);
  const after = await state(page);
  judge(after, ids, 'after ticking two places');
  await page.reload();
  await page.waitForSelector('.picker:not([hidden])');
  judge(await state(page), ids, 'after reloading');
  for (const e of errors) fail(`console: ${e}`);
  console.log(`picker: chose ${ids.join(', ')}: ${after.visible.length} rows, ${after.bars} bars`);
} finally {
  await close();
}
if (failures.length) {
  for (const f of failures) console.log(`FAIL ${f}`);
  process.exit(1);
}
console.log('picker: passed');
