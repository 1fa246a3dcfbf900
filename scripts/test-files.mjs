// The test files of `npm test`, in the order they start: the longest first, so that with
// several files running at once none of them starts near the end and runs on alone; then the
// rest in name order. A file missing from SLOWEST only starts later; one listed here that no
// longer exists is an error, so the list cannot quietly rot.
//
// With --built, each file is named as scripts/build-tests.mjs compiles it: .build/<path>.js.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Longest first, as measured by `npm test` on the 2-core CI machine (docs/benchmarks.md). */
const SLOWEST = [
  // Fifty renders and calls through three processes, mostly waiting on its processes and leases:
  // first, so that it never runs on alone at the end.
  'test/cli/three-nodes.test.ts',
  // Real-time calls (SIPp, spandsp) mostly wait on the line, and the CPU-heavy files keep the
  // two cores busy meanwhile: they alternate, so that neither kind holds every slot at once.
  'test/interop/sip-trunk-sipp.test.ts',
  'test/rendering/linked-content.test.ts',
  'test/interop/faxd-to-spandsp.test.ts',
  'test/api/oauth-hardening.test.ts',
  'test/interop/spandsp-to-faxd.test.ts',
  'test/crash/sigkill.test.ts',
  'test/interop/sip-inbound-spandsp.test.ts',
  'test/rendering/documents.test.ts',
  'test/interop/spandsp-harness.test.ts',
  // A browser and a server whose renders wait their turn behind the other tests' (60–95 s).
  'test/console/web-console.test.ts',
  'test/rendering/hostile.test.ts',
  'test/cli/database-outage.test.ts',
  'test/cli/serve-worker.test.ts',
  'test/cli/render-command.test.ts',
  'test/fuzz/send-fax.fuzz.test.ts',
  'test/fuzz/other-routes.fuzz.test.ts',
  'test/rendering/legibility.test.ts',
]

function testFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) {
      return testFiles(path)
    }
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

for (const file of SLOWEST) {
  if (!existsSync(file)) {
    throw new Error(`scripts/test-files.mjs names ${file}, which does not exist`)
  }
}
const rest = [...testFiles('src'), ...testFiles('test')].filter((f) => !SLOWEST.includes(f)).sort()
const built = process.argv.includes('--built')
const files = [...SLOWEST, ...rest].map((f) =>
  built ? join('.build', f.replace(/\.ts$/, '.js')) : f,
)
process.stdout.write(files.join('\n') + '\n')
