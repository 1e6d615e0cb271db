// Shared by check.mjs and screenshot.mjs: Debian's Chromium driven by playwright-core (no
// browser is ever downloaded), and a tiny static server for a built output folder.

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, readFileSync, statSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, relative, sep, resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/// Starts Chromium with a fresh, throw-away profile. Returns { context, close }.
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'policydash-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    // Pages must not need a service worker, and none may outlive a visit.
    serviceWorkers: 'block',
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/// Every file under `dir` (sorted, '/'-separated, relative to dir) whose name ends in one of `exts`.
export function walk(dir, exts) {
  const out = [];
  const visit = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules') continue;
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) visit(full);
      else if (exts.includes(extname(name).toLowerCase())) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript',
};

/// Serves `dir` under `base` (e.g. '/policydash/') on 127.0.0.1 and a free port, the way
/// GitHub Pages does: a folder's index.html, 404.html for anything missing.
export function serve(dir, base) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    const send = (status, file) => {
      res.writeHead(status, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(readFileSync(file));
    };
    const notFound = () => {
      const f = join(root, '404.html');
      if (existsSync(f)) send(404, f);
      else { res.writeHead(404); res.end('not found'); }
    };
    if (!path.startsWith(base)) return notFound();
    const full = resolve(root, '.' + '/' + path.slice(base.length));
    if (full !== root && !full.startsWith(root + sep)) return notFound();
    if (existsSync(full) && statSync(full).isDirectory()) {
      if (!path.endsWith('/')) { res.writeHead(301, { Location: path + '/' }); return res.end(); }
      const index = join(full, 'index.html');
      return existsSync(index) ? send(200, index) : notFound();
    }
    return existsSync(full) ? send(200, full) : notFound();
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      ok({ url: `http://127.0.0.1:${server.address().port}${base}`, close: () => server.close() });
    });
  });
}

/// The address of an output file: `a/index.html` → `a/`, anything else as it is.
export function pathOf(file) {
  if (file === 'index.html') return '';
  return file.endsWith('/index.html') ? file.slice(0, -'index.html'.length) : file;
}
