// Builds the tree the suite runs from: `npm test` runs the tests as JavaScript from .build/, not
// through tsx. Loading a test file's modules through tsx's hooks cost about 1.1 CPU-seconds more a
// file than loading them compiled, 175 of the suite's CPU-seconds on a 2-core machine that runs
// flat out (docs/benchmarks.md, "The suite").
//
// 1. tsc -p tsconfig.test.json type-checks src, test, bench and scripts (as `npm run check`
//    does) and writes their JavaScript, with source maps, under .build/ in the same layout;
//    incrementally, so that a second run with nothing changed takes a second or two (tsc does
//    not write again a file it thinks current: after editing or deleting anything under .build/
//    by hand, delete .build/ whole).
// 2. The render process as one file (scripts/bundle-render-process.mjs), as in dist/.
// 3. Every other file of src/ and test/ (fixtures, SIPp scenarios, .mjs entries, and the .ts
//    sources themselves, which some tests start through tsx in a child process) is linked at
//    its place under .build/, a folder without TypeScript as one link; so are bin/, docs/,
//    node_modules/ and package.json (its "type": "module" is read beside the code by a render
//    process in its sandbox, which sees nothing above .build/). A test reaches what it reaches
//    from test/ by the same relative path, and a link resolves to the real file, so a child
//    process started from it runs the sources.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const BUILD = join(ROOT, '.build')

execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.test.json'], {
  cwd: ROOT,
  stdio: 'inherit',
})
// The render process as one file, as `npm run build` makes it in dist/: the suite's render
// processes start from it. Made after every tsc run, so that it is never older than a module.
execFileSync(
  process.execPath,
  [join(ROOT, 'scripts', 'bundle-render-process.mjs'), join(BUILD, 'src')],
  { cwd: ROOT, stdio: 'inherit' },
)

/** Links `.build/<path>` to `<path>` unless something is there already. */
function link(path) {
  const at = join(BUILD, path)
  if (exists(at)) {
    return
  }
  mkdirSync(dirname(at), { recursive: true })
  symlinkSync(relative(dirname(at), join(ROOT, path)), at)
}

/** Whether `path` is there, counting a link that points nowhere (lstat, not stat). */
function exists(path) {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function holdsTypeScript(folder) {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).some((entry) =>
    entry.isDirectory() ? holdsTypeScript(join(folder, entry.name)) : entry.name.endsWith('.ts'),
  )
}

function linkFolder(folder) {
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = join(folder, entry.name)
    if (entry.isDirectory() && holdsTypeScript(path)) {
      linkFolder(path)
    } else {
      link(path)
    }
  }
}

for (const top of ['bin', 'docs', 'node_modules', 'package.json']) {
  link(top)
}
for (const folder of ['src', 'test']) {
  if (existsSync(join(ROOT, folder))) {
    linkFolder(folder)
  }
}
