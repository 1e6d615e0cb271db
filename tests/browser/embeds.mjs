#!/usr/bin/env node
// Embeds that fit: every embed page of a built site, framed by its own suggested snippet in a
// host page, at 320 px and 680 px wide.
//
//   node embeds.mjs OUTPUT_DIR BASE_PATH SITE_URL [--only REGEX]
//
// SITE_URL is the base URL the site was built with (the snippets' iframes point there); the
// folder is served here on 127.0.0.1 and the snippets are pointed at that server instead.
// For each embed page and width it fails when:
//   - scripts stripped (the snippet's iframe alone, as on a host that removes scripts): the
//     framed page is taller or wider than its frame, so part of it is cut off;
//   - scripts kept (the whole snippet): the frame does not take the height the embed page
//     posts, or the frame still cuts content off, or leaves more than 4 px of empty space.
// It prints each page's content height beside the default height. Exit 0 only when all fit.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, walk, serve, pathOf } from './browser.mjs';

const WIDTHS = (process.env.EMBED_WIDTHS || '320,680').split(',').map(Number);

function parseArgs(argv) {
  const pos = [];
  let only;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = new RegExp(argv[++i]);
    else pos.push(argv[i]);
  }
  if (pos.length !== 3) {
    console.error('usage: node embeds.mjs OUTPUT_DIR BASE_PATH SITE_URL [--only REGEX]');
    process.exit(2);
  }
  let base = pos[1];
  if (!base.startsWith('/')) base = '/' + base;
  if (!base.endsWith('/')) base += '/';
  return { dir: resolve(pos[0]), base, site: pos[2], only };
}

/// The snippet an embed page suggests, as text (the page shows it escaped in <pre><code>).
function snippetOf(html) {
  const m = html.match(/<pre><code>([\s\S]*?)<\/code><\/pre>/);
  if (!m) return null;
  return m[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function hostPage(snippet, width) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>host</title>
<style>body{margin:0} #slot{width:${width}px}</style></head>
<body><div id="slot">${snippet}</div></body></html>`;
}

/// What the framed page measures: its content height and width against its viewport, and
/// elements that stick out to the right.
async function measure(frame) {
  return frame.evaluate(() => {
    const doc = document.documentElement;
    const height = Math.ceil(doc.getBoundingClientRect().height);
    const outside = [...document.body.querySelectorAll('*')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) return false;
        // The folded parts of a closed <details> are not shown.
        const closed = el.closest('details:not([open])');
        if (closed && !el.closest('summary')) return false;
        // Elements in a container that scrolls on its own are not cut off.
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll') return false;
        }
        return r.right > window.innerWidth + 1 || r.bottom > window.innerHeight + 1;
      })
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}`);
    return {
      height,
      frameHeight: window.innerHeight,
      scrollWidth: doc.scrollWidth,
      frameWidth: window.innerWidth,
      outside,
    };
  });
}

async function framed(page, snippet, width) {
  await page.setContent(hostPage(snippet, width), { waitUntil: 'load' });
  const handle = await page.waitForSelector('iframe');
  const frame = await handle.contentFrame();
  await frame.waitForLoadState('load');
  return { handle, frame };
}

const { dir, base, site, only } = parseArgs(process.argv.slice(2));
const files = walk(dir, ['.html']).filter((f) => /(^|\/)embed\/[^/]+\/index\.html$/.test(f));
const chosen = files.filter((f) => !only || only.test(f));
const server = await serve(dir, base);
const browser = await launch();
const failures = [];
let checked = 0;
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1000, height: 3000 });
  for (const file of chosen) {
    const snippet = snippetOf(readFileSync(resolve(dir, file), 'utf8'));
    if (!snippet) {
      failures.push(`${file}: no suggested snippet`);
      continue;
    }
    const local = snippet.split(site).join(server.url);
    if (!local.includes(server.url + pathOf(file))) {
      failures.push(`${file}: the snippet does not frame this page: ${snippet.slice(0, 200)}`);
      continue;
    }
    const stripped = local.replace(/<script>[\s\S]*?<\/script>/g, '');
    const defaultHeight = Number((stripped.match(/ height="(\d+)"/) || [])[1]);
    const report = [];
    for (const width of WIDTHS) {
      // Scripts stripped: the default height must hold everything.
      {
        const { frame } = await framed(page, stripped, width);
        const m = await measure(frame);
        report.push(`${width}px ${m.height}`);
        if (m.height > m.frameHeight) {
          failures.push(`${file} [${width}px, no script]: content ${m.height} px in a ${m.frameHeight} px frame: cut off`);
        }
        if (m.scrollWidth > m.frameWidth) {
          failures.push(`${file} [${width}px, no script]: content ${m.scrollWidth} px wide in a ${m.frameWidth} px frame`);
        }
        if (m.outside.length) {
          failures.push(`${file} [${width}px, no script]: cut off: ${m.outside.join(', ')}`);
        }
      }
      // Scripts kept: the frame follows the posted height.
      {
        const { handle, frame } = await framed(page, local, width);
        const m0 = await measure(frame);
        let frameHeight = 0;
        for (let i = 0; i < 40; i++) {
          frameHeight = await handle.evaluate((f) => f.getBoundingClientRect().height);
          if (Math.abs(frameHeight - m0.height) <= 4) break;
          await page.waitForTimeout(50);
        }
        const m = await measure(frame);
        if (m.height > m.frameHeight) {
          failures.push(`${file} [${width}px, script]: content ${m.height} px in a ${m.frameHeight} px frame: cut off`);
        } else if (m.frameHeight - m.height > 4) {
          failures.push(`${file} [${width}px, script]: the frame did not fit: ${m.frameHeight} px for ${m.height} px of content`);
        }
        if (m.outside.length) {
          failures.push(`${file} [${width}px, script]: cut off: ${m.outside.join(', ')}`);
        }
      }
    }
    console.log(`${file}: default ${defaultHeight}; content ${report.join(', ')}`);
    checked++;
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.log(`\n${failures.length} problem(s):\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`\nembeds: all ${checked} embed pages fit their frames at ${WIDTHS.join(' and ')} px`);
