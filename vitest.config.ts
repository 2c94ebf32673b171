import { defineConfig } from 'vitest/config';

/**
 * Two lanes. `unit` runs the TypeScript sources in-process: no dist/, no agent CLIs, no child
 * processes, no listening sockets (`npm run test:unit`). `int` holds every `*.int.test.ts`: files
 * that spawn processes, PTYs, tmux, agents or servers; it builds dist/ first because the proxy's
 * compress workers load the built worker script. `npm test` runs unit, then int.
 */
const timeouts = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          // Nothing in this lane spawns or changes the process: worker threads start faster than
          // forks (two interleaved pairs of runs: 121 and 92 s against 142 and 153 s, loaded machine).
          pool: 'threads',
          ...timeouts,
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          ...timeouts,
        },
      },
    ],
  },
});
