/**
 * What the legibility test needs around tesseract: running the command-line tools (a tool that
 * cannot be started fails the test, it never skips), a small pool so that two OCR processes run
 * at once, the words of a text as they are compared (lower case, runs of Unicode letters, two or
 * more long), and how many of a reference's words an OCR text recovered (multiset intersection).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** What a failed start of each tool most likely means. */
const PACKAGES: Readonly<Record<string, string>> = {
  tesseract: 'tesseract-ocr and tesseract-ocr-eng',
  gs: 'ghostscript',
  pdftotext: 'poppler-utils',
}

/**
 * Runs a tool to its end and returns its standard output; it must exit 0. `env` is added to the
 * environment of this process.
 */
export async function runTool(
  tool: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout)
          return
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new assert.AssertionError({
              message: `${tool} could not run (${error.message}); install ${PACKAGES[tool] ?? tool}`,
            }),
          )
          return
        }
        reject(new Error(`${tool} ${args.join(' ')} failed: ${error.message}\n${stderr}`))
      },
    )
  })
}

/** fn over every item, at most `size` at a time; the results in the order of the items. */
export async function mapWithPool<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker))
  return results
}

/** OCR processes at once: one per core of a 2-core machine. */
const OCR_POOL = 2

/**
 * The text tesseract reads in each image file, in order; the same settings for every file:
 * English, the default page segmentation, the resolution from the file's own tags, and one
 * thread per process (OpenMP threads on a busy 2-core machine make each page several times
 * slower; the pool runs two pages at once instead).
 */
export async function ocrFiles(files: readonly string[]): Promise<string[]> {
  return mapWithPool(files, OCR_POOL, (file) =>
    runTool('tesseract', [file, 'stdout', '-l', 'eng'], { OMP_THREAD_LIMIT: '1' }),
  )
}

/** The files in `dir` whose names start with `prefix`, sorted, as full paths. */
export async function filesStartingWith(dir: string, prefix: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.startsWith(prefix)).sort()
  return names.map((name) => join(dir, name))
}

/** The words of a text as they are compared: lower case, Unicode letters only, two or more. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((word) => word.length >= 2)
}

/** How many of the reference's words the other list has, each counted as often as both have it. */
export function recoveredWords(reference: readonly string[], found: readonly string[]): number {
  const available = new Map<string, number>()
  for (const word of found) {
    available.set(word, (available.get(word) ?? 0) + 1)
  }
  let recovered = 0
  for (const word of reference) {
    const left = available.get(word) ?? 0
    if (left > 0) {
      recovered++
      available.set(word, left - 1)
    }
  }
  return recovered
}

/**
 * The text of a flat OpenDocument text file (.fodt): the body's paragraphs and headings, one a
 * line, tags removed and the five XML entities and numeric references decoded.
 */
export function flatOdtText(xml: string): string {
  const body = /<office:text[^>]*>([\s\S]*)<\/office:text>/.exec(xml)?.[1]
  assert.ok(body !== undefined, 'the file has an <office:text> body')
  return body
    .replace(/<\/text:[ph]>|<text:(?:line-break|tab|s)\b[^>]*\/>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}
