import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@distillery/backend-native';
import { createDistiller } from '@distillery/core';
import { IndexedDataset } from '@distillery/data';
import { loadMnist, loadModel } from '@distillery/node';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the example, without types
import { startDemoServer } from '../demoServer.mjs';

let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
let directory: string;
const pageErrors: string[] = [];
const testExamples = 256;

/** Pixels of a chart drawn in colour: vega's category palette, where axes, labels and grid lines are grey. */
async function colouredPixels(selector: string): Promise<number> {
  const { data, info } = await sharp(await page.locator(selector).screenshot())
    .raw()
    .toBuffer({ resolveWithObject: true });
  let count = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) count++;
  }
  return count;
}

const status = () => page.locator('#status');
const untilDone = (runs: number) =>
  page.waitForFunction(
    (n) => {
      const element = document.getElementById('status') as HTMLElement;
      return element.dataset.state === 'error' || Number(element.dataset.done ?? 0) >= n;
    },
    runs,
    { timeout: 240_000 },
  );

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-demo-'));
  server = await startDemoServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // WebGL through SwiftShader, Chromium's software renderer: CI machines have no GPU.
    args: ['--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update'],
  });
  page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 1400 } });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageErrors.push(`page: ${error.message}`));
  await page.goto(server.url);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 60_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('the demo page, driven by clicks in headless Chromium on webgl', () => {
  it('trains a teacher, distils a zoo student with live charts, and downloads a student that scores in Node what the page said', async () => {
    // Before training: the loss chart is bare axes; the accuracy chart has only its legend's two coloured symbols.
    const bare = { loss: await colouredPixels('#loss-chart'), accuracy: await colouredPixels('#accuracy-chart') };
    expect(bare.loss).toBe(0);
    expect(bare.accuracy).toBeLessThan(300);

    await page.fill('#train-examples', '768');
    await page.fill('#validation-examples', '256');
    await page.fill('#test-examples', String(testExamples));
    await page.selectOption('#backend', 'webgl');
    await page.fill('#teacher-epochs', '2');
    await page.fill('#student-epochs', '2');
    await page.fill('#learning-rate', '0.01');
    expect(await page.inputValue('#student-model')).toBe('lenet5');
    expect(await page.inputValue('#strategy')).toBe('response.kd');
    expect(await page.inputValue('[data-option="temperature"]')).toBe('4');

    await page.click('#train-teacher');
    await page.waitForFunction(
      () =>
        !(document.getElementById('distil') as HTMLButtonElement).disabled ||
        (document.getElementById('status') as HTMLElement).dataset.state === 'error',
      undefined,
      { timeout: 240_000 },
    );
    expect(await status().textContent()).toMatch(/^teacher trained: .* \(backend webgl, /);
    const teacherAccuracy = Number(await page.locator('#teacher-accuracy').getAttribute('data-accuracy'));
    expect(teacherAccuracy).toBeGreaterThan(0.5); // chance is 0.1; 24 steps on 512 digits

    await page.click('#distil');
    await untilDone(1);
    expect(await status().textContent()).toMatch(/^student distilled: .* \(backend webgl, /);
    const studentAccuracy = Number(await page.locator('#student-accuracy').getAttribute('data-accuracy'));
    expect(studentAccuracy).toBeGreaterThan(0.5);
    expect(await page.textContent('#backend-name')).toBe('webgl');

    // The charts: every loss term's line and both accuracy lines, in colour, after training.
    await page.screenshot({ path: join(directory, 'demo.png'), fullPage: true });
    if (process.env.DEMO_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.DEMO_SCREENSHOT, fullPage: true });
    expect(await colouredPixels('#loss-chart')).toBeGreaterThan(300);
    expect(await colouredPixels('#accuracy-chart')).toBeGreaterThan(bare.accuracy + 300);

    const downloads: string[] = [];
    page.on('download', async (download) => {
      const path = join(directory, download.suggestedFilename());
      await download.saveAs(path);
      downloads.push(path);
    });
    await page.click('#download');
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
    expect((await readdir(directory)).sort()).toEqual(['demo.png', 'model.json', 'model.weights.bin']);

    const model = await loadModel(join(directory, 'model.json'));
    const test = new IndexedDataset(await loadMnist({ split: 'test' })).take(testExamples);
    const evaluator = createDistiller({
      student: { name: 'student', model },
      strategies: [{ key: 'task.ce' }],
      backend: 'native',
    });
    const inNode = (await evaluator.evaluate(test)).accuracy;
    evaluator.dispose();
    model.dispose();
    // WebGL's float arithmetic may tip one borderline digit either way; beyond that the two must agree.
    expect(Math.abs(inNode - studentAccuracy) * testExamples).toBeLessThanOrEqual(1);

    // The downloaded files load back as a teacher: the same model, so the same test accuracy; a weight file alone is one line.
    await page.setInputFiles('#teacher-files', [join(directory, 'model.weights.bin')]);
    await expect
      .poll(() => status().textContent())
      .toBe('error: teacher files: expected a model.json among the files chosen, with its weight files');
    await page.setInputFiles('#teacher-files', [join(directory, 'model.json'), join(directory, 'model.weights.bin')]);
    await expect.poll(() => page.textContent('#teacher-status'), { timeout: 60_000 }).toBe('model.json, loaded');
    expect(Number(await page.locator('#teacher-accuracy').getAttribute('data-accuracy'))).toBe(studentAccuracy);

    // A second run, from the loaded teacher, replaces the first student: the page holds no more tensors than it did
    // (the first teacher is gone and the loaded one has LeNet-5's weights, as the first student had).
    const held = Number(await status().getAttribute('data-tensors'));
    await page.selectOption('#strategy', 'response.dist');
    await page.fill('#student-epochs', '1');
    await page.click('#distil');
    await untilDone(2);
    expect(await status().getAttribute('data-state')).toBe('ok');
    expect(Number(await status().getAttribute('data-tensors'))).toBe(held);
    expect(pageErrors).toEqual([]);
  }, 480_000);
});
