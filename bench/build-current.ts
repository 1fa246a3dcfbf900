/**
 * The benches that run `faxd` as a user does (bin/faxd.js, which runs the build in dist/ only
 * while it is at least as new as every source file, else the sources through tsx, several times
 * slower) must measure the build: they check before and after their run that it is current, so
 * that an edit made meanwhile cannot slip slower figures in unmarked (the soak prints its ten
 * minutes of figures first, then fails).
 */
import { renderEntry } from '../src/rendering/render-entry.js'

export function assertBuildCurrent(): void {
  const entry = renderEntry(new URL('../src/rendering/bench.ts', import.meta.url).href)
  if (!entry.pathname.endsWith('/dist/rendering/render-process.js')) {
    throw new Error('the build is missing or older than src/: run `npm run build` first')
  }
}
