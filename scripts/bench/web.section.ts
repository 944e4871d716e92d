/**
 * The web dashboard's live view, measured in Chromium (headless, WebGL2 through SwiftShader)
 * against `heimdall demo` with one site on a 4096-bin, 10 frames/s scan plan (the browser test
 * system, apps/web/e2e/system.ts). One viewer watches that node: full band, then zoomed in 4x.
 *
 * Reported: the socket's kbit/s as the page counts it (message payloads), next to the raw figure
 * for whole 4096-bin u8 frames (334 kbit/s) and the budget (150 kbit/s); rows drawn per second
 * next to the frames sent per second.
 */
import { chromiumMissing, launchBrowser } from '../../apps/web/e2e/browser.ts';
import { ADMIN_PASSWORD, BINS, FPS, startSystem } from '../../apps/web/e2e/system.ts';
import { printTable } from './table.ts';

const SECONDS = 8;

export async function runWebBench(): Promise<void> {
  const missing = chromiumMissing();
  if (missing !== undefined) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const sys = await startSystem();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${sys.url}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    await page.goto(`${sys.url}/live/${sys.liveNode.id}`);
    await page.waitForSelector('text=● live');
    const read = async (id: string) =>
      Number.parseFloat((await page.textContent(`[data-testid=${id}]`)) ?? '');
    const sample = async () => {
      const kbps: number[] = [];
      const fps: number[] = [];
      for (let s = 0; s < SECONDS; s++) {
        await page.waitForTimeout(1000);
        kbps.push(await read('kbps'));
        fps.push(await read('fps'));
      }
      const mean = (a: number[]) => a.slice(2).reduce((x, y) => x + y, 0) / Math.max(1, a.length - 2);
      return { kbps: mean(kbps), fps: mean(fps) };
    };
    const full = await sample();
    await page.focus('.live-area');
    for (let i = 0; i < 6; i++) await page.keyboard.press('+');
    const zoomed = await sample();
    const renderer = (await page.textContent('[data-testid=renderer]')) ?? '';
    const raw = ((BINS + 76) * 8 * FPS) / 1000;
    printTable(
      ['view', 'kbit/s per viewer', 'raw 4096-bin frames', 'budget', 'rows drawn/s', 'frames sent/s'],
      [
        [
          'full band (max_bins 1024)',
          full.kbps.toFixed(1),
          raw.toFixed(0),
          '150',
          full.fps.toFixed(1),
          String(FPS),
        ],
        ['zoomed in ~4x', zoomed.kbps.toFixed(1), raw.toFixed(0), '150', zoomed.fps.toFixed(1), String(FPS)],
      ],
    );
    console.log(`renderer: ${renderer}`);
  } finally {
    await browser.close();
    await sys.close();
  }
}
