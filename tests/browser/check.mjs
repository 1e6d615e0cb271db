#!/usr/bin/env node
// Judges a built policydash site the way a reader gets it, in a real browser.
//
//   node check.mjs OUTPUT_DIR BASE_PATH [--url URL] [--only REGEX]
//
// OUTPUT_DIR is a built site (e.g. output/), BASE_PATH the path it is published under
// (e.g. /policydash/). Without --url the folder is served here on 127.0.0.1; with --url
// (e.g. http://127.0.0.1:8000/policydash/ from `policydash serve`) that server is used.
// --only REGEX checks just the pages whose file path matches (for working on a fix).
//
// For every HTML file in the folder (so every page in every language), at 1280 px and at
// 390 px wide, it fails on:
//   - a console error or an uncaught page error, or a failed or non-2xx load;
//   - any request to a host other than 127.0.0.1/localhost (recorded, then refused);
//   - axe-core violations of impact serious or critical (WCAG 2.0/2.1/2.2 A and AA rules);
//   - horizontal overflow: the page scrolling sideways (elements that scroll on their own,
//     such as .table-scroll, are allowed to);
//   - Chinese text where the language in force is not Chinese (WCAG 3.1.2; checked once per
//     page, outside SVG);
// and it runs the Nu HTML Checker (vnu) over every HTML file (and every SVG file, as SVG)
// and fails on any error. Exit status 0 only when nothing failed.

import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launch, walk, serve, pathOf } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const WIDTHS = [
  { name: '1280px', width: 1280, height: 900 },
  { name: '390px', width: 390, height: 844 },
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function usage(msg) {
  console.error(`${msg}\nusage: node check.mjs OUTPUT_DIR BASE_PATH [--url URL] [--only REGEX]`);
  process.exit(2);
}

function parseArgs(argv) {
  const pos = [];
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url' || a === '--only') {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length !== 2) usage('OUTPUT_DIR and BASE_PATH are required');
  let base = pos[1];
  if (!base.startsWith('/')) base = '/' + base;
  if (!base.endsWith('/')) base += '/';
  return { dir: resolve(pos[0]), base, url: opts.url, only: opts.only && new RegExp(opts.only) };
}

/// Runs vnu over `files` (absolute paths); resolves to a list of { file, line, message }.
function vnu(files, extraArgs) {
  if (files.length === 0) return Promise.resolve([]);
  const jar = join(dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
  const args = ['-jar', jar, '--errors-only', '--format', 'json', ...extraArgs, ...files];
  return new Promise((ok) => {
    const p = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', (e) => ok([{ file: '(vnu)', line: 0, message: `could not run java: ${e.message}` }]));
    p.on('close', (code) => {
      let messages;
      try {
        messages = JSON.parse(out.slice(out.indexOf('{'))).messages;
      } catch {
        return ok([{ file: '(vnu)', line: 0, message: `exit ${code}, unreadable output:\n${out.slice(0, 2000)}` }]);
      }
      ok(
        messages
          .filter((m) => m.type === 'error' || m.type === 'non-document-error')
          .map((m) => ({
            file: m.url ? fileURLToPath(m.url) : '(vnu)',
            line: m.lastLine ?? 0,
            message: m.message + (m.extract ? `  «${m.extract.replace(/\s+/g, ' ').trim()}»` : ''),
          })),
      );
    });
  });
}

/// In the page: what makes it scroll sideways. Elements inside something that scrolls or
/// clips on its own (overflow-x other than visible) are that element's business, not the page's.
function overflowProbe(width) {
  const doc = document.documentElement.scrollWidth;
  const body = document.body.scrollWidth;
  if (doc <= width + 1 && body <= width + 1) return null;
  // An ancestor that scrolls or clips contains an element only if it is, or is outside of,
  // the element's containing block: an absolutely positioned element escapes every such
  // ancestor up to its nearest positioned one (a classic cause of pages scrolling sideways).
  const contained = (el) => {
    let position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    let escaping = position === 'absolute';
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (escaping && s.position !== 'static') escaping = false;
      if (!escaping && s.overflowX !== 'visible') return true;
      if (s.position === 'fixed') return false;
      if (s.position === 'absolute') escaping = true;
    }
    return false;
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${s} (right edge ${Math.round(el.getBoundingClientRect().right)}px${text ? `, "${text}"` : ''})`;
  };
  const wide = new Set();
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right > width + 1 && !contained(el)) {
      wide.add(el);
      if (!wide.has(el.parentElement)) culprits.push(describe(el));
    }
  }
  return { doc, body, culprits: culprits.slice(0, 5) };
}

/// In the page: Chinese text in a part whose language is not Chinese (WCAG 3.1.2, language
/// of parts: a screen reader would read it with the wrong voice). SVG is left to its makers.
function unmarkedChinese() {
  const han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !han.test(n.data) || el.closest('svg, script, style, template')) continue;
    const lang = (el.closest('[lang]')?.getAttribute('lang') || '').toLowerCase();
    if (lang === 'zh' || lang.startsWith('zh-')) continue;
    found.push(`"${n.data.match(han)[0].slice(0, 20)}" in <${el.tagName.toLowerCase()}> (lang ${lang || 'none'})`);
  }
  return found;
}

async function main() {
  const { dir, base, url: givenUrl, only } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const htmlFiles = walk(dir, ['.html']).filter((f) => !only || only.test(f));
  const svgFiles = walk(dir, ['.svg']).filter((f) => !only || only.test(f));
  if (htmlFiles.length === 0) usage(`no HTML files in ${dir}${only ? ` matching ${only}` : ''}`);

  // The checker runs beside the browser: the machine has cores to spare while pages load.
  const vnuDone = Promise.all([
    vnu(htmlFiles.map((f) => join(dir, f)), []),
    vnu(svgFiles.map((f) => join(dir, f)), ['--svg']),
  ]);

  const server = givenUrl ? null : await serve(dir, base);
  const siteUrl = new URL(givenUrl || server.url);
  if (!siteUrl.pathname.endsWith('/')) siteUrl.pathname += '/';
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

  const browser = await launch();
  const failures = new Map(); // page path → [lines]
  const fail = (page, line) => {
    if (!failures.has(page)) failures.set(page, []);
    failures.get(page).push(line);
  };
  const langs = new Map();
  let visits = 0;
  const notes = [];
  const review = new Map(); // axe rule id → { help, visits, example }

  // Nothing may leave the machine: every request to another host is refused (and recorded
  // as a failure by the page's 'request' listener below).
  await browser.context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['data:', 'blob:', 'about:'].includes(u.protocol) || LOCAL_HOSTS.has(u.hostname)) return route.continue();
    return route.abort('blockedbyclient');
  });

  // One tab per width; both visit the same page at the same time.
  const tabs = [];
  for (const w of WIDTHS) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: w.width, height: w.height });
    const tab = { w, page, file: null };
    const report = (line) => tab.file && fail(tab.file, `[${w.name}] ${line}`);
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const loc = m.location();
      report(`console error: ${m.text()}${loc.url ? ` (${loc.url})` : ''}`);
    });
    page.on('pageerror', (e) => report(`page error: ${e.message}`));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (['data:', 'blob:', 'about:'].includes(u.protocol) || LOCAL_HOSTS.has(u.hostname)) return;
      report(`request to another site: ${r.url()}`);
    });
    page.on('requestfailed', (r) => {
      if (LOCAL_HOSTS.has(new URL(r.url()).hostname)) report(`failed to load ${r.url()}: ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => r.status() >= 400 && report(`HTTP ${r.status()} for ${r.url()}`));
    tabs.push(tab);
  }

  const visit = async (tab, file) => {
    const { w, page } = tab;
    const target = new URL(pathOf(file), siteUrl).href;
    tab.file = file;
    visits++;
    try {
      await page.goto(target, { waitUntil: 'load', timeout: 60000 });
    } catch (e) {
      fail(file, `[${w.name}] could not load ${target}: ${e.message.split('\n')[0]}`);
      return;
    }
    if (w === WIDTHS[0]) {
      const lang = await page.evaluate(() => document.documentElement.lang || '(none)');
      langs.set(lang, (langs.get(lang) || 0) + 1);
      const unmarked = await page.evaluate(unmarkedChinese);
      if (unmarked.length) {
        fail(
          file,
          `Chinese text not marked lang="zh-…" (${unmarked.length}): ` +
            unmarked.slice(0, 4).map((u) => `\n      ${u}`).join('') +
            (unmarked.length > 4 ? `\n      … and ${unmarked.length - 4} more` : ''),
        );
      }
    }
    const over = await page.evaluate(overflowProbe, w.width);
    if (over) {
      fail(
        file,
        `[${w.name}] page scrolls sideways (document ${over.doc}px, body ${over.body}px wide)` +
          over.culprits.map((c) => `\n      too wide: ${c}`).join(''),
      );
    }
    await page.evaluate(axeSource);
    const axe = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    for (const v of axe.violations) {
      if (!FAILING_IMPACTS.has(v.impact)) {
        notes.push(`${file} [${w.name}] axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
        continue;
      }
      const nodes = v.nodes
        .slice(0, 4)
        .map((n) => `\n      at ${n.target.join(' ')}: ${(n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim()}`)
        .join('');
      const more = v.nodes.length > 4 ? `\n      … and ${v.nodes.length - 4} more` : '';
      fail(file, `[${w.name}] axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} element(s))${nodes}${more}`);
    }
    // What axe could not decide needs a person to look: counted per rule, not failed.
    for (const v of axe.incomplete) {
      const r = review.get(v.id) || { help: v.help, visits: 0, example: `${file}: ${v.nodes[0]?.target.join(' ')}` };
      r.visits++;
      review.set(v.id, r);
    }
    tab.file = null;
  };

  try {
    for (const file of htmlFiles) {
      await Promise.all(tabs.map((tab) => visit(tab, file)));
    }
  } finally {
    for (const tab of tabs) tab.file = null;
    await browser.close();
    if (server) server.close();
  }

  const [htmlErrors, svgErrors] = await vnuDone;
  for (const e of [...htmlErrors, ...svgErrors]) {
    const rel = e.file.startsWith(dir) ? e.file.slice(dir.length + 1) : e.file;
    fail(rel, `[vnu] line ${e.line}: ${e.message}`);
  }

  for (const n of notes) console.log(`  note: ${n}`);
  for (const [id, r] of review) console.log(`  axe needs review (not failed): ${id}, ${r.help}, on ${r.visits} visit(s), e.g. ${r.example}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const byLang = [...langs].sort().map(([l, n]) => `${n} ${l}`).join(', ');
  console.log(`\nChecked ${htmlFiles.length} pages (${byLang}) at ${WIDTHS.map((w) => w.name).join(' and ')}: ${visits} visits;`);
  console.log(`vnu checked ${htmlFiles.length} HTML and ${svgFiles.length} SVG files; ${notes.length} moderate/minor axe finding(s); ${seconds}s.`);
  if (failures.size === 0) {
    console.log('browser check: all pages passed');
    return 0;
  }
  let count = 0;
  console.log(`\nbrowser check FAILED on ${failures.size} file(s):`);
  for (const [page, lines] of [...failures].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`\n${page}`);
    // Sorted, so the report does not depend on which tab finished first.
    for (const l of [...lines].sort()) console.log(`  ${l}`);
    count += lines.length;
  }
  console.log(`\n${count} problem(s) in ${failures.size} file(s).`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`browser check could not run: ${e.stack || e}`);
    process.exit(2);
  },
);
