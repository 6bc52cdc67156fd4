import { defineConfig, mergeConfig } from 'vitest/config';
import { svelteTesting } from '@testing-library/svelte/vite';
import viteConfig from './vite.config';

export default mergeConfig(
  viteConfig,
  defineConfig({
    plugins: [svelteTesting()],
    // Svelte's package exports resolve to the SSR build under Node unless told otherwise.
    resolve: { conditions: ['browser'] },
    test: {
      environment: 'jsdom',
      include: ['src/**/*.test.ts'],
      setupFiles: ['./src/test/setup.ts'],
      testTimeout: 20_000,
      mockReset: true,
      restoreMocks: true,
    },
  }),
);
