/**
 * The drawing surface of the pages faxd lays out itself (text files, cover sheets):
 * @napi-rs/canvas, with the fonts that ship with faxd registered once, and fonts from Debian's
 * packages for the scripts DejaVu does not cover (scripts/run.sh and scripts/test.sh install
 * them), which the canvas falls back to glyph by glyph.
 */
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
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

/**
 * DejaVu covers Latin, Greek, Cyrillic, Arabic and Hebrew; these fill in the rest: WenQuanYi
 * Zen Hei (Debian fonts-wqy-zenhei: Chinese, Japanese kana, Korean hangul) and Lohit Devanagari
 * (fonts-lohit-deva: Hindi, Marathi, Nepali). A font that is not installed is left out, and its
 * script is drawn as empty boxes.
 */
const SCRIPT_FONTS = [
  { family: 'faxd CJK', file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc' },
  {
    family: 'faxd Devanagari',
    file: '/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf',
  },
] as const

const fallbacks = SCRIPT_FONTS.filter(({ family, file }) => {
  if (!existsSync(file)) {
    return false
  }
  GlobalFonts.registerFromPath(file, family)
  return true
}).map(({ family }) => `"${family}"`)

/** A CSS font for the canvas: `family` at `pixels`, then the script fonts in turn. */
export function fontOf(pixels: number, family: string): string {
  return [`${pixels}px "${family}"`, ...fallbacks].join(', ')
}
