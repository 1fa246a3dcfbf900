/**
 * `faxd render FILE… [--resolution fine|superfine] [--no-enhancement] [--cover-json JSON]
 * [--logo FILE] -o OUT.tif|OUT.pdf`: writes exactly the TIFF-F that faxd would transmit for
 * these documents, rendered the way the service renders them (in a child process, with the same
 * limits), and prints `{"pages": N, "bytes": B}`. An output named `.pdf` gets those pages as the
 * PDF a fax is downloaded as (each page's G4 image, unchanged); any other name than .tif, .tiff
 * or .pdf is refused before anything is rendered. The cover JSON is the `cover_page` object of
 * sendFax: {"name_to", "name_from", "subject", "flags", "message", "include_company_logo"}.
 */
import { randomBytes } from 'node:crypto'
import { access, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { RenderingConfig } from '../config.js'
import type { CoverPage, CoverPageFlag } from '../domain/outbox-entry.js'
import { COVER_PAGE_FLAGS } from '../domain/outbox-entry.js'
import type { IntendedRendering } from '../prepare-rendering.js'
import { intendedRendering, prepareRendering } from '../prepare-rendering.js'
import type { Isolation } from '../rendering/isolated-renderer.js'
import { RenderProcess } from '../rendering/isolated-renderer.js'
import type { RenderJob } from '../rendering/render-job.js'
import type { RenderSettings } from '../rendering/render-settings.js'
import { printedDate } from '../use-cases/prepare-outbox-pages.js'
import { UsageError } from './usage-error.js'

export async function renderCommand(
  args: string[],
  config: RenderingConfig,
  dataDir: string,
  now: Date = new Date(),
): Promise<{ pages: number; bytes: number }> {
  const { values, positionals } = parseRenderArgs(args)
  const output = values.output
  if (output === undefined || output === '') {
    throw new UsageError('-o OUT.tif is required')
  }
  const format = outputFormat(output)
  if (positionals.length === 0 && values['cover-json'] === undefined) {
    throw new UsageError('give at least one FILE (or a --cover-json)')
  }
  const resolution = values.resolution ?? 'fine'
  if (resolution !== 'fine' && resolution !== 'superfine') {
    throw new UsageError('--resolution must be fine or superfine')
  }
  for (const file of [...positionals, ...(values.logo === undefined ? [] : [values.logo])]) {
    await access(file).catch(() => {
      throw new UsageError(`cannot read ${file}`)
    })
  }
  // Every usage error before anything is prepared or printed.
  const cover = values['cover-json'] === undefined ? undefined : parseCover(values['cover-json'])
  // The render process starts (Node.js, faxd's code: most of a short render) while the sandbox
  // is tried, in the sandbox it should work in; it is let go if the trial finds otherwise.
  const intended = intendedRendering(config, dataDir)
  const early =
    intended === null ? null : RenderProcess.start(intended.isolation, intended.officeProgram)
  let renderer: RenderProcess
  let settings: RenderSettings
  try {
    const setup = await prepareRendering(config, dataDir)
    for (const notice of setup.notices) {
      process.stderr.write(`faxd render: ${notice.message}\n`)
    }
    settings = setup.settings
    renderer = await renderProcessFor(early, intended, setup.isolation, settings.office?.program)
  } catch (error) {
    await early?.then(async (unused) => unused.close()).catch(() => {})
    throw error
  }
  const job: RenderJob = {
    documentPaths: positionals.map((file) => path.resolve(file)),
    ...(cover === undefined
      ? {}
      : {
          cover: {
            cover,
            date: printedDate(now.getTime()),
            ...(values.logo !== undefined && cover.includeCompanyLogo
              ? { logoPath: path.resolve(values.logo) }
              : {}),
          },
        }),
    resolution,
    enhancement: values['no-enhancement'] !== true,
    settings: {
      paper: config.paper,
      maxPages: settings.maxPages,
      maxPicturePixels: settings.maxPicturePixels,
      office: settings.office,
      ...(settings.threads === undefined ? {} : { threads: settings.threads }),
    },
    outputPath:
      format === 'tiff'
        ? path.resolve(output)
        : path.resolve(`${output}.${process.pid}.${randomBytes(4).toString('hex')}.tif`),
  }
  const report = process.stderr.isTTY
    ? (progress: { pagesDone: number }) => {
        process.stderr.write(`\rpages rendered: ${progress.pagesDone}`)
      }
    : undefined
  try {
    const rendered = await renderer.render(job, report)
    if (format === 'tiff') {
      return rendered
    }
    try {
      // The codec, loaded for a PDF only.
      const { tiffToPdf } = await import('../codec/pdf-fax-writer.js')
      const pdf = tiffToPdf(new Uint8Array(await readFile(job.outputPath)))
      await writeFile(path.resolve(output), pdf)
      return { pages: rendered.pages, bytes: pdf.length }
    } finally {
      await rm(job.outputPath, { force: true })
    }
  } finally {
    // faxd render ends next: it does not wait for the render process to end.
    await renderer.letGo()
    if (report) {
      process.stderr.write('\n')
    }
  }
}

/**
 * The render process started early when it runs as prepareRendering found renders must; else
 * that one is let go, and one is started as they must.
 */
async function renderProcessFor(
  early: Promise<RenderProcess> | null,
  intended: IntendedRendering | null,
  isolation: Isolation,
  officeProgram: string | undefined,
): Promise<RenderProcess> {
  if (early === null || intended === null) {
    return RenderProcess.start(isolation, officeProgram)
  }
  if (
    JSON.stringify(intended.isolation) === JSON.stringify(isolation) &&
    intended.officeProgram === officeProgram
  ) {
    return early
  }
  await (await early).close()
  return RenderProcess.start(isolation, officeProgram)
}

/** What the output's name asks for; a usage error for a name that asks for something else. */
function outputFormat(output: string): 'tiff' | 'pdf' {
  const extension = path.extname(output).toLowerCase()
  if (extension === '.tif' || extension === '.tiff') {
    return 'tiff'
  }
  if (extension === '.pdf') {
    return 'pdf'
  }
  throw new UsageError(
    `-o ${output}: faxd render writes a TIFF (name it .tif or .tiff) or a PDF (.pdf)`,
  )
}

function parseRenderArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        resolution: { type: 'string' },
        'no-enhancement': { type: 'boolean' },
        'cover-json': { type: 'string' },
        logo: { type: 'string' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** The sendFax `cover_page` object, checked the way the API checks it. */
function parseCover(text: string): CoverPage {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new UsageError('--cover-json is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--cover-json must be an object like {"name_to": …}')
  }
  const cover = value as Record<string, unknown>
  const text1024 = (name: string): string => {
    const field = cover[name]
    if (typeof field !== 'string' || field.length > 1024) {
      throw new UsageError(`--cover-json needs "${name}", a string of at most 1024 characters`)
    }
    return field
  }
  const flags = cover['flags'] ?? []
  if (
    !Array.isArray(flags) ||
    !flags.every((flag): flag is CoverPageFlag => COVER_PAGE_FLAGS.includes(flag as CoverPageFlag))
  ) {
    throw new UsageError(`--cover-json "flags" may hold ${COVER_PAGE_FLAGS.join(', ')}`)
  }
  const message = cover['message'] ?? null
  if (message !== null && typeof message !== 'string') {
    throw new UsageError('--cover-json "message" must be a string')
  }
  const logo = cover['include_company_logo'] ?? false
  if (typeof logo !== 'boolean') {
    throw new UsageError('--cover-json "include_company_logo" must be true or false')
  }
  return {
    nameTo: text1024('name_to'),
    nameFrom: text1024('name_from'),
    subject: text1024('subject'),
    flags: [...new Set(flags)],
    message,
    includeCompanyLogo: logo,
  }
}
