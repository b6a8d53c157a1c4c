import { defineConfig } from 'vitest/config';

// Integration tests train real models; on a loaded 2-core machine one can take several times its usual
// few seconds, so the per-test limit is a guard against hangs, not a speed target.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Two files at once, where vitest's default on 2 cores is one: many of these tests spend their time waiting on a
    // child process (the CLI, a queue worker), which then has the other core to itself.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
