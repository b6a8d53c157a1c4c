// `node measure.mjs [webgl] [cpu] [webgpu]`: runs the page's default run (every field as the page opens, but the
// backend) in headless Chromium, driven by clicks as a user would, and prints how long the teacher and the student
// took and what they scored. The README's speed figures come from it. Chromium renders WebGL and WebGPU in software
// here (SwiftShader) where no GPU is present; with one, pass CHROMIUM and drop the SwiftShader flags.

import { chromium } from 'playwright-core';
import { startDemoServer } from './demoServer.mjs';

const backends = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['webgl', 'cpu'];
const server = await startDemoServer();
// WebGPU needs Vulkan through SwiftShader; WebGL on that path fails to compile some of tfjs's convolution shaders
// here, so each backend gets a browser of its own, WebGL and cpu on Chromium's default software GL.
const launch = (backend) =>
  chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args:
      backend === 'webgpu'
        ? ['--enable-unsafe-webgpu', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader']
        : ['--enable-unsafe-swiftshader'],
  });
const waitFor = (page, finished) =>
  page.waitForFunction(`document.getElementById('status').dataset.state === 'error' || (${finished})`, undefined, {
    timeout: 3_600_000,
  });
let browser;
try {
  console.log('backend  teacher: s   s/step  test acc.   student: s   s/step  test acc.   step counts');
  for (const backend of backends) {
    browser = await launch(backend);
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`${backend}: page error: ${error.message}`));
    const ticker = setInterval(
      () =>
        page
          .textContent('#status')
          .then((text) => process.env.DEMO_VERBOSE && console.error(`${backend}: ${text}`))
          .catch(() => {}),
      15_000,
    );
    await page.goto(server.url);
    await page.waitForSelector('#status[data-ready="true"]', { timeout: 120_000 });
    await page.selectOption('#backend', backend);
    const timed = async (button, done) => {
      const started = Date.now();
      await page.click(button);
      await waitFor(page, done);
      const text = await page.textContent('#status');
      if (text.startsWith('error')) throw new Error(`${backend}: ${text}`);
      return (Date.now() - started) / 1000;
    };
    const teacherSeconds = await timed('#train-teacher', "!document.getElementById('distil').disabled");
    const studentSeconds = await timed('#distil', "document.getElementById('status').dataset.done === '1'");
    const accuracy = async (id) => Number(await page.locator(id).getAttribute('data-accuracy'));
    const fields = await page.evaluate(() =>
      ['train-examples', 'validation-examples', 'batch-size', 'teacher-epochs', 'student-epochs'].map((id) =>
        Number(document.getElementById(id).value),
      ),
    );
    const [examples, validation, batch, teacherEpochs, studentEpochs] = fields;
    const steps = Math.ceil((examples - validation) / batch);
    console.log(
      `${backend.padEnd(8)} ${teacherSeconds.toFixed(0).padStart(10)} ${(teacherSeconds / (steps * teacherEpochs)).toFixed(2).padStart(8)}` +
        ` ${(100 * (await accuracy('#teacher-accuracy'))).toFixed(1).padStart(8)} %` +
        ` ${studentSeconds.toFixed(0).padStart(12)} ${(studentSeconds / (steps * studentEpochs)).toFixed(2).padStart(8)}` +
        ` ${(100 * (await accuracy('#student-accuracy'))).toFixed(1).padStart(8)} %   ${steps} × ${teacherEpochs} and ${steps} × ${studentEpochs}`,
    );
    clearInterval(ticker);
    await browser.close();
  }
} finally {
  await browser?.close();
  await server.close();
}
