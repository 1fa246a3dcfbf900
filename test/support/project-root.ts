/**
 * The project's folder: where the package.json nearest above this module really is. The suite
 * runs from its compiled copy under .build/ (scripts/build-tests.mjs), where the sources and
 * package.json are links, so a test that reads the sources as files starts from here, not
 * from its own folder.
 */
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

function projectRoot(from: string): string {
  const manifest = join(from, 'package.json')
  if (existsSync(manifest)) {
    return dirname(realpathSync(manifest))
  }
  const parent = dirname(from)
  if (parent === from) {
    throw new Error('no package.json above test/support')
  }
  return projectRoot(parent)
}

export const PROJECT_ROOT = projectRoot(import.meta.dirname)
