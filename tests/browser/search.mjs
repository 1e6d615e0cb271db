#!/usr/bin/env node
// Runs searches on a built policydash site in a real browser, the way a reader does, and
// asserts on the links in the results.
//
//   node search.mjs OUTPUT_DIR BASE_PATH [--url URL] [--cases JSON]
//
// OUTPUT_DIR is a built site, BASE_PATH the path it is built for (e.g. /policydash/). Without
// --url the folder is served here on 127.0.0.1 under BASE_PATH. --cases replaces the searches
// below (CASES) with others of the same form, for a site other than the real one.
//
// Each case opens a search page (English or Chinese) and either loads it with ?q= or types
// the query into its box, then checks that some result links to where it must (a figure's
// permalink, a programme page). Every visit also fails on a console error, a request to
// another site, an axe-core violation (serious or critical) once results are shown, and
// Chinese text in the results not marked lang="zh-…" on an English page, and a figure's
// result without its value and clause as written; the page as it
// stands with its results goes through the Nu HTML Checker (vnu) too.
// Last, with JavaScript off, the header's search box must lead to the search page, which
// says that search needs JavaScript and links to the indexes.
// Exit status 0 only when every case passed.

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { launch, serve, CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';

const require = createRequire(import.meta.url);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function parseArgs(argv) {
  const pos = [];
  let url = null;
  let cases = CASES;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--url') url = argv[++i];
    else if (argv[i] === '--cases') cases = JSON.parse(argv[++i]);
    else pos.push(argv[i]);
  }
  if (pos.length !== 2) {
    console.error('usage: node search.mjs OUTPUT_DIR BASE_PATH [--url URL] [--cases JSON]');
    process.exit(2);
  }
  let base = pos[1];
  if (!base.startsWith('/')) base = '/' + base;
  if (!base.endsWith('/')) base += '/';
  return { dir: resolve(pos[0]), base, url, cases };
}

// What a search must find: `page` is the search page ('' English, 'zh/' Chinese), `type`
// says whether the query is typed into the box or comes in the address, and every entry of
// `expect` is a link prefix (below the base path) that some result must start with (with
// `exact`, some result is that link; with `first`, the first result is; with `top: n`, one of
// the first n results is).
const CASES = [
  { query: '学徒', page: '', expect: ['programmes/suqian/#t-'] },
  { query: '学徒', page: 'zh/', type: true, expect: ['zh/programmes/suqian/#t-'] },
  { query: 'apprentices', page: '', type: true, expect: ['programmes/suqian/#t-', 'programmes/lingang/#t-'] },
  { query: 'apprentices', page: 'zh/', expect: ['zh/programmes/suqian/#t-', 'zh/programmes/lingang/#t-'] },
  { query: '工匠', page: '', expect: ['programmes/zhuhai/#t-'] },
  { query: '工匠', page: 'zh/', expect: ['zh/programmes/zhuhai/#t-'] },
  // A place name finds its programme page first.
  { query: 'Jiangmen', page: '', type: true, expect: ['programmes/jiangmen/'], exact: true, first: true },
  { query: '江门', page: 'zh/', expect: ['zh/programmes/jiangmen/'], exact: true, first: true },
  { query: 'Tianjin', page: 'zh/', expect: ['zh/programmes/tianjin/'], exact: true, first: true },
  // Traditional characters in Suqian's clauses are found with the Simplified form.
  { query: '开展企业新型学徒', page: '', expect: ['programmes/suqian/#t-suqian-apprenticeships'] },
];

/// The Nu HTML Checker over `files`: resolves to its error messages.
function vnu(files) {
  const jar = join(dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
  return new Promise((ok) => {
    const p = spawn('java', ['-jar', jar, '--errors-only', '--format', 'json', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', (e) => ok([`could not run java: ${e.message}`]));
    p.on('close', () => {
      try {
        const { messages } = JSON.parse(out.slice(out.indexOf('{')));
        ok(messages.filter((m) => m.type !== 'info').map((m) => `${m.url?.split('/').pop()} line ${m.lastLine}: ${m.message}`));
      } catch {
        ok([`unreadable vnu output: ${out.slice(0, 500)}`]);
      }
    });
  });
}

async function main() {
  const { dir, base, url: givenUrl, cases } = parseArgs(process.argv.slice(2));
  const server = givenUrl ? null : await serve(dir, base);
  const site = new URL(givenUrl || server.url);
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await launch();
  const failures = [];
  let passed = 0;
  const snapshots = mkdtempSync(join(tmpdir(), 'policydash-search-'));
  const snapshotFiles = [];
  await browser.context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['data:', 'blob:', 'about:'].includes(u.protocol) || LOCAL_HOSTS.has(u.hostname)) return route.continue();
    return route.abort('blockedbyclient');
  });

  try {
    const page = await browser.context.newPage();
    let problems = [];
    let warnings = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      if (m.type() === 'warning') warnings.push(m.text().split('\n')[0]);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!['data:', 'blob:', 'about:'].includes(u.protocol) && !LOCAL_HOSTS.has(u.hostname)) {
        problems.push(`request to another site: ${r.url()}`);
      }
    });
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));

    for (const c of cases) {
      problems = [];
      warnings = [];
      const name = `${c.page || 'en/'}search ${c.type ? 'typing' : '?q='} ${JSON.stringify(c.query)}`;
      const searchPage = new URL(`${c.page}search/`, site);
      if (c.type) {
        await page.goto(searchPage.href, { waitUntil: 'load' });
        await page.fill('#search-q', c.query);
        await page.press('#search-q', 'Enter');
      } else {
        searchPage.searchParams.set('q', c.query);
        await page.goto(searchPage.href, { waitUntil: 'load' });
      }
      try {
        await page.waitForFunction(
          (q) => document.getElementById('search-results')?.dataset.query === q,
          c.query,
          // Generous: the machines that run this are often busy.
          { timeout: 60000 },
        );
      } catch {
        const status = await page.textContent('#search-status').catch(() => '');
        failures.push(`${name}: no results shown (status: ${JSON.stringify(status)}) ${[...problems, ...warnings].join('; ')}`);
        continue;
      }
      const links = await page.$$eval('#search-results h2 a', (as) => as.map((a) => a.getAttribute('href')));
      const address = new URL(page.url());
      if (address.searchParams.get('q') !== c.query) {
        problems.push(`the address does not carry the query: ${page.url()}`);
      }
      for (const want of c.expect) {
        const prefix = base + want;
        const ok = links.some((l) => (c.exact ? l === prefix : l.startsWith(prefix)));
        if (!ok) problems.push(`no result links to ${prefix}${c.exact ? '' : '…'}; got ${links.slice(0, 8).join(', ')}`);
      }
      // A figure's result shows its value and its clause, as written (the thin spaces that
      // split Chinese words in an English record taken out again).
      const figures = await page.$$eval('#search-results li', (lis) =>
        lis
          .filter((li) => (li.querySelector('h2 a')?.getAttribute('href') || '').includes('#t-'))
          .map((li) => ({
            href: li.querySelector('h2 a').getAttribute('href'),
            value: li.querySelector('.search-value')?.textContent || '',
            quote: li.querySelector('.search-quote q')?.textContent || '',
          })),
      );
      for (const f of figures) {
        if (!f.value || !f.quote) problems.push(`${f.href} shows no value or no clause`);
        if (/\u2009|\p{Script=Han} \p{Script=Han}/u.test(f.quote)) problems.push(`${f.href}: clause not as written: ${f.quote}`);
      }
      if (c.expect.some((e) => e.includes('#t-')) && !figures.length) problems.push('no figure among the results');
      if (c.first && links[0] !== base + c.expect[0]) {
        problems.push(`the first result is ${links[0]}, not ${base + c.expect[0]}`);
      }
      if (c.top && !links.slice(0, c.top).includes(base + c.expect[0])) {
        problems.push(`${base + c.expect[0]} is not among the first ${c.top} results: ${links.slice(0, c.top).join(', ')}`);
      }
      // The reader's language first: only pages in the language of the search page.
      const chinese = (l) => l.startsWith(`${base}zh/`);
      const foreign = links.filter((l) => (c.page === 'zh/' ? !chinese(l) : chinese(l)));
      if (foreign.length) problems.push(`results in the other language: ${foreign.slice(0, 3).join(', ')}`);
      const unmarked = await page.evaluate(() => {
        const han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
        const out = [];
        const walker = document.createTreeWalker(document.getElementById('search-results'), NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const lang = (n.parentElement.closest('[lang]')?.getAttribute('lang') || '').toLowerCase();
          if (han.test(n.data) && !lang.startsWith('zh')) out.push(n.data.slice(0, 20));
        }
        return out;
      });
      if (unmarked.length) problems.push(`Chinese not marked lang="zh-…": ${unmarked.slice(0, 3).join(' | ')}`);
      await page.evaluate(axeSource);
      const axe = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        AXE_TAGS,
      );
      for (const v of axe.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          problems.push(`axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes[0]?.target.join(' ')}`);
        }
      }
      const snapshot = join(snapshots, `search-${snapshotFiles.length + 1}.html`);
      writeFileSync(snapshot, `<!DOCTYPE html>\n${await page.evaluate(() => document.documentElement.outerHTML)}`);
      snapshotFiles.push(snapshot);
      if (problems.length) failures.push(`${name}:\n    ${problems.join('\n    ')}`);
      else {
        passed++;
        console.log(`ok: ${name} → ${links.length} results, first ${links[0]}`);
      }
    }
    await page.close();

    // The search pages as they stand with results in them: valid HTML.
    const invalid = await vnu(snapshotFiles);
    if (invalid.length) failures.push(`vnu on the search pages with results:\n    ${invalid.join('\n    ')}`);
    else {
      passed++;
      console.log(`ok: vnu finds no error in the ${snapshotFiles.length} search pages with results`);
    }

    // Without JavaScript: the header's box submits to the search page, which says what to do.
    const second = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const noJs = await second.newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    if (plain) {
      await plain.route('**/*', (route) => {
        const u = new URL(route.request().url());
        return LOCAL_HOSTS.has(u.hostname) ? route.continue() : route.abort('blockedbyclient');
      });
      await plain.goto(new URL('zh/programmes/suqian/', site).href, { waitUntil: 'load' });
      await plain.fill('#site-search-q', '学徒');
      await Promise.all([plain.waitForNavigation(), plain.press('#site-search-q', 'Enter')]);
      const landed = new URL(plain.url());
      const notice = await plain.isVisible('#search-no-js');
      const indexLinks = await plain.$$eval('#search-no-js a', (as) => as.map((a) => a.getAttribute('href')));
      const name = 'without JavaScript, the header search box';
      const want = `${base}zh/search/`;
      const problems = [];
      if (landed.pathname !== want || landed.searchParams.get('q') !== '学徒') problems.push(`went to ${plain.url()}, not ${want}?q=学徒`);
      if (!notice) problems.push('the search page does not say that search needs JavaScript');
      if (!indexLinks.includes(`${base}zh/`) || !indexLinks.includes(`${base}zh/sources/`)) {
        problems.push(`the notice does not link to the indexes: ${indexLinks.join(', ')}`);
      }
      if (problems.length) failures.push(`${name}:\n    ${problems.join('\n    ')}`);
      else {
        passed++;
        console.log(`ok: ${name} → ${plain.url()}, notice with ${indexLinks.length} index links`);
      }
      await second.close();
    }
  } finally {
    await browser.close();
    if (server) server.close();
    rmSync(snapshots, { recursive: true, force: true });
  }

  if (failures.length) {
    console.log(`\nsearch check FAILED:\n  ${failures.join('\n  ')}`);
  }
  console.log(`\n${passed} passed, ${failures.length} failed`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`search check could not run: ${e.stack || e}`);
    process.exit(2);
  },
);
