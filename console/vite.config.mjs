/**
 * The web console's build: Vite, with Preact's JSX through esbuild (no plugin), into
 * dist/console, which `faxd serve` serves at / (src/api/routes/console.ts).
 */
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    // Vite's own manifest: the server serves exactly the files it names, and nothing else.
    manifest: true,
    reportCompressedSize: true,
  },
})
