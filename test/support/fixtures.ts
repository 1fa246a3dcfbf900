/**
 * The committed fixture documents (test/fixtures, made by scripts/make-fixtures.sh with
 * LibreOffice, Ghostscript and ImageMagick) and their manifests, for rendering tests.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

export interface DocumentFixture {
  readonly file: string
  readonly kind: string
  readonly pages: number
  readonly pageSizesPt?: readonly (readonly [number, number])[]
  readonly landscape?: boolean
  readonly words?: number
}

export interface HostileFixture {
  readonly file: string
  readonly threat: string
  readonly expected: string
}

export const DOCUMENTS: readonly DocumentFixture[] = JSON.parse(
  readFileSync(join(FIXTURES, 'documents', 'manifest.json'), 'utf8'),
) as DocumentFixture[]

export const HOSTILE: readonly HostileFixture[] = JSON.parse(
  readFileSync(join(FIXTURES, 'hostile', 'manifest.json'), 'utf8'),
) as HostileFixture[]

export function documentPath(file: string): string {
  return join(FIXTURES, 'documents', file)
}

export function hostilePath(file: string): string {
  return join(FIXTURES, 'hostile', file)
}

export function readDocument(file: string): Uint8Array {
  return new Uint8Array(readFileSync(documentPath(file)))
}
