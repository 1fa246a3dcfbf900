/**
 * The project's folder: the nearest one above this module that holds package.json. The suite
 * runs from its compiled copy under .build/ (scripts/build-tests.mjs), where the sources are
 * links, so a test that reads the sources as files starts from here, not from its own folder.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

function projectRoot(from: string): string {
  if (existsSync(join(from, 'package.json'))) {
    return from
  }
  const parent = dirname(from)
  if (parent === from) {
    throw new Error('no package.json above test/support')
  }
  return projectRoot(parent)
}

export const PROJECT_ROOT = projectRoot(import.meta.dirname)
