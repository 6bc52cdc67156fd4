import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));

// Vite empties dist/ on every build; the Go side embeds frontend/dist and needs the
// committed dist/.gitkeep to exist even before the first build, so put it back.
function keepGitkeep(): Plugin {
  return {
    name: 'parley-keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(root, 'dist/.gitkeep'), '');
    },
  };
}

export default defineConfig({
  // Relative asset URLs: Wails serves dist/ from its own asset server at "/".
  base: './',
  plugins: [svelte(), keepGitkeep()],
  resolve: {
    alias: { $lib: resolve(root, 'src/lib') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
