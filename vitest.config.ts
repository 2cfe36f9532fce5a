import {defineConfig} from 'vitest/config';
import {shellAsText} from './scripts/shell-as-text.js';

// Three layers, one run: unit and integration in parallel (forks); e2e (one real Docker engine,
// shared by its files) one file at a time, beside them.
// The shell scripts kp runs in the HA container are imported as text, as the build bundles them
// (each project gets the plugin: inline projects do not inherit the root's).

export default defineConfig({
  test: {
    // Vitest sizes a pool for the whole run, not per project: the e2e project alone uses the threads
    // pool, and that pool runs one file at a time (a project's own `fileParallelism` is ignored).
    poolOptions: {threads: {maxThreads: 1, minThreads: 1}},
    projects: [
      {
        plugins: [shellAsText],
        test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, setupFiles: ['test/unit/support/isolate-home.ts']},
      },
      {
        plugins: [shellAsText],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // The integration layer needs no Docker: the fakes answer for it. A real engine address that
          // answers nothing makes any accidental use of the real `docker` fail loudly.
          env: {DOCKER_HOST: 'unix:///nonexistent/kp-integration-uses-no-docker.sock'},
        },
      },
      {
        plugins: [shellAsText],
        test: {
          name: 'e2e',
          // The terminal layer (test/terminal) runs here too: it needs the same engine, stand-ins and sentinel.
          include: ['test/e2e/**/*.test.ts', 'test/terminal/**/*.test.ts'],
          // The sentinel: a stand-in `kamerplanter` project (a user's stack) that no test may touch,
          // checked after every file and after the run. Builds the stand-in images and the shared stack.
          globalSetup: ['test/e2e/support/global-setup.ts'],
          setupFiles: ['test/e2e/support/sentinel-check.ts'],
          pool: 'threads',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          sequence: {concurrent: false},
        },
      },
    ],
  },
});
