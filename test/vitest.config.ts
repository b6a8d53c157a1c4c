import { defineConfig } from 'vitest/config';

// Integration tests train real models; on a loaded 2-core machine one can take several times its usual
// few seconds, so the per-test limit is a guard against hangs, not a speed target.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
