#!/usr/bin/env node
// Full-page screenshots of chosen pages at 390 px and 1280 px, for a person to look at.
//
//   node screenshot.mjs OUTPUT_DIR BASE_PATH SHOTS_DIR PAGE...
//
// PAGE is a path under the base, e.g. '' (home), 'zh/programmes/zhuhai/'.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, serve } from './browser.mjs';

const [dir, base, shots, ...paths] = process.argv.slice(2);
if (!shots || paths.length === 0) {
  console.error('usage: node screenshot.mjs OUTPUT_DIR BASE_PATH SHOTS_DIR PAGE...');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const server = await serve(dir, base.endsWith('/') ? base : base + '/');
const browser = await launch();
try {
  for (const width of [390, 1280]) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const p of paths) {
      await page.goto(new URL(p, server.url).href, { waitUntil: 'load' });
      // In slices a viewer can show at full size rather than one very tall image.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const slice = width === 390 ? 1400 : 1000;
      const stem = p.replace(/\/$/, '').replace(/\//g, '_') || 'home';
      for (let y = 0, i = 1; y < height; y += slice, i++) {
        const name = `${stem}-${width}-${i}.png`;
        const clip = { x: 0, y, width, height: Math.min(slice, height - y) };
        await page.screenshot({ path: join(shots, name), fullPage: true, clip });
        console.log(join(shots, name));
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
