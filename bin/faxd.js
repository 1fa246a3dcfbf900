#!/usr/bin/env node
// The `faxd` command. Runs the built code in dist/ when present, else the TypeScript sources
// through tsx (a runtime dependency), so `npx faxd …` works in a fresh checkout too.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'dist', 'cli', 'main.js')
let cli
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
}
const status = await cli.runCli(process.argv.slice(2))
if (status >= 0) {
  process.exitCode = status
}
