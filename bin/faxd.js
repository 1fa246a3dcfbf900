#!/usr/bin/env node
// The `faxd` command. Runs the build in dist/ when it is at least as new as every source file,
// else the TypeScript sources through tsx (a runtime dependency): `npx faxd …` works in a fresh
// checkout, and never runs a build older than the code beside it.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'dist', 'cli', 'main.js')
const sources = join(root, 'src')

/**
 * The newest modification time of a .ts file under `folder` (0 if none). Walked folder by folder:
 * readdirSync's own `recursive` takes twice as long, and this runs before every command.
 */
function newestSourceMs(folder = sources) {
  if (!existsSync(folder)) {
    return 0
  }
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = join(folder, entry.name)
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestSourceMs(file))
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(file).mtimeMs)
    }
  }
  return newest
}

let cli
if (existsSync(built) && statSync(built).mtimeMs >= newestSourceMs()) {
  cli = await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import(pathToFileURL(join(sources, 'cli', 'main.ts')).href)
}
const status = await cli.runCli(process.argv.slice(2))
if (status >= 0) {
  process.exitCode = status
}
