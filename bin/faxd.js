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

function newestSourceMs() {
  if (!existsSync(sources)) {
    return 0
  }
  return readdirSync(sources, { recursive: true })
    .filter((name) => String(name).endsWith('.ts'))
    .reduce((newest, name) => Math.max(newest, statSync(join(sources, String(name))).mtimeMs), 0)
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
