/**
 * The drawing surface of the pages faxd lays out itself (text files, cover sheets):
 * @napi-rs/canvas, with the fonts that ship with faxd registered once.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { GlobalFonts } from '@napi-rs/canvas'

const require = createRequire(import.meta.url)

/** Font families registered from the dejavu-fonts-ttf package. */
export const TEXT_FONT = 'faxd Mono'
export const SANS_FONT = 'faxd Sans'
export const SANS_BOLD_FONT = 'faxd Sans Bold'

const fontDirectory = path.join(
  path.dirname(require.resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSansMono.ttf'), TEXT_FONT)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSans.ttf'), SANS_FONT)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSans-Bold.ttf'), SANS_BOLD_FONT)
