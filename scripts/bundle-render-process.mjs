// Bundles the render process (rendering/render-process.js of a built tree and every module of the
// tree it imports, at once or when first needed) into one CommonJS file beside it,
// rendering/render-process.cjs, with the list of the modules it was made of
// (render-process.inputs.json): render-entry.ts chooses the bundle while none of them is newer.
// A render process is new for each fax or few, and Node.js 20 took about 30 ms of its start to
// load those 41 ES modules one by one through its ES module loader, which a CommonJS file never
// starts (docs/benchmarks.md, "The render process as one file"). The packages stay outside:
// PDFium's WebAssembly is read from its package, and the canvas and sharp are native.
//
// The modules are the tree's JavaScript as tsc wrote it, and the bundle lies in the same tree:
// each `import.meta.url` becomes that module's own URL there, so a module finds what lies beside
// it (a worker thread's program, PDFium's package) as it did. No other use of `import.meta` is
// let in.
//
//   node scripts/bundle-render-process.mjs [TREE]   TREE: dist (the default, after
//                                                   tsc -p tsconfig.build.json: npm run build)
//                                                   or .build/src (scripts/build-tests.mjs)
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { build } from 'esbuild'

const TREE = resolve(join(import.meta.dirname, '..'), process.argv[2] ?? 'dist')
const ENTRY = join(TREE, 'rendering', 'render-process.js')
const BUNDLE = join(TREE, 'rendering', 'render-process.cjs')
const INPUTS = join(TREE, 'rendering', 'render-process.inputs.json')

/** Defined first in the bundle: the URL of a module of the tree from its path beside the bundle. */
const BANNER = [
  '"use strict";',
  'const __moduleUrl = (path) => new URL(path, require("node:url").pathToFileURL(__filename)).href;',
].join('\n')

/** `import.meta.url` in each module of the tree as that module's URL; any other `import.meta` fails. */
const moduleUrls = {
  name: 'module-urls',
  setup(bundling) {
    bundling.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!path.startsWith(TREE + sep)) {
        return { errors: [{ text: `${path} is outside ${TREE}: its import.meta would be wrong` }] }
      }
      const source = await readFile(path, 'utf8')
      const beside = relative(dirname(BUNDLE), path).split(sep).join('/')
      const own = `__moduleUrl(${JSON.stringify(beside.startsWith('.') ? beside : `./${beside}`)})`
      // import.meta.resolve is met only on the way to TypeScript sources (tsx), which a built
      // render process never takes: CommonJS resolution stands in for it. Any other use of
      // import.meta is left to esbuild, which fails on it (logOverride below).
      const contents = source
        .replaceAll('import.meta.url', own)
        .replaceAll(
          'import.meta.resolve(',
          '((specifier) => require("node:url").pathToFileURL(require.resolve(specifier)).href)(',
        )
      return { contents, loader: 'js' }
    })
  },
}

const { metafile } = await build({
  entryPoints: [ENTRY],
  absWorkingDir: TREE,
  metafile: true,
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  banner: { js: BANNER },
  plugins: [moduleUrls],
  // import.meta left in a module would be an empty object in CommonJS: an error, not a warning.
  logOverride: { 'empty-import-meta': 'error' },
  logLevel: 'warning',
})

// What the bundle was made of, beside it: render-entry.ts takes the bundle only while none of
// these is newer (tsc run alone, incrementally, rewrites some modules and not others).
await writeFile(
  INPUTS,
  `${JSON.stringify(
    Object.keys(metafile.inputs).map((input) =>
      relative(dirname(BUNDLE), join(TREE, input)).split(sep).join('/'),
    ),
    null,
    1,
  )}\n`,
)
