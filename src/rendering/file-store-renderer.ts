/**
 * PageRenderer over the FileStore: the documents are copied out to a private folder, rendered by
 * the RunRender it is given, and the TIFF-F is put back into the FileStore. The service gives it
 * a RenderProcessPool's (render-process-pool.ts: child processes in a sandbox, with limits);
 * tests of what the pages say, not of the isolation, give it renderInProcess (render-to-tiff.ts):
 * the same rendering, in this process.
 * Previews decode one page of a stored TIFF-F with our codec and encode it as a 1-bit PNG; sharp
 * (libvips) is loaded at the first preview, so a process that never shows one never loads it.
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { decodeTiffPage, listTiffPages } from '../codec/tiff-read.js'
import type {
  DraftPreview,
  DraftRequest,
  PageRenderOutcome,
  PageRenderRequest,
  PageRenderer,
} from '../domain/page-renderer.js'
import { DomainError } from '../domain/domain-error.js'
import type { FaxStatus } from '../domain/fax.js'
import { type FileStore, readAllBytes } from '../domain/ports.js'
import type { RenderProgress, RenderSettings } from './render-settings.js'
import type { RenderJob } from './render-job.js'
import { renderFolderPrefix } from './render-sandbox.js'
import { RenderingError } from './rendering-error.js'

/** A rendered document is at most this large (250 superfine pages of dense MMR stay far below). */
const MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
/** Drafts kept for their next pages: at most this many, and this many bytes of TIFF together. */
const MAX_DRAFTS = 32
const MAX_DRAFT_BYTES = 64 * 1024 * 1024
/** Drafts rendered at once by one process; more wait their turn, up to MAX_DRAFTS_WAITING. */
const MAX_DRAFTS_RENDERING = 2
const MAX_DRAFTS_WAITING = 8
const PREVIEWS_BUSY_RETRY_SECONDS = 5

/**
 * Runs one render job: writes the TIFF-F to `job.outputPath`, reports progress, and throws a
 * RenderingError for a document that cannot be rendered. `signal` stops it: its reason is
 * thrown, and nothing is written.
 */
export type RunRender = (
  job: RenderJob,
  onProgress: (progress: RenderProgress) => void,
  signal?: AbortSignal,
) => Promise<{ pages: number; bytes: number }>

export class FileStoreRenderer implements PageRenderer {
  readonly #files: FileStore
  readonly #settings: RenderSettings
  readonly #run: RunRender
  readonly #release: () => Promise<void>
  #draftsRendering = 0
  readonly #draftWaiters: (() => void)[] = []
  /** Drafts rendered for previews, by what was asked, least recently looked at first. */
  readonly #drafts = new Map<string, DraftEntry>()

  /** `release` lets go of what `run` keeps between renders (see close). */
  constructor(
    files: FileStore,
    settings: RenderSettings,
    run: RunRender,
    release: () => Promise<void> = async () => {},
  ) {
    this.#files = files
    this.#settings = settings
    this.#run = run
    this.#release = release
  }

  close(): Promise<void> {
    return this.#release()
  }

  async render(
    request: PageRenderRequest,
    onPage: (pagesDone: number) => void = () => {},
    signal?: AbortSignal,
  ): Promise<PageRenderOutcome> {
    const folder = await mkdtemp(renderFolderPrefix())
    try {
      const documentPaths: string[] = []
      for (const [index, key] of request.documentKeys.entries()) {
        const file = path.join(folder, `document-${index + 1}`)
        await writeFile(file, this.#files.get(key))
        documentPaths.push(file)
      }
      let logoPath: string | undefined
      if (request.cover?.logoKey) {
        logoPath = path.join(folder, 'logo')
        await writeFile(logoPath, this.#files.get(request.cover.logoKey))
      }
      const output = path.join(folder, 'fax.tif')
      const job: RenderJob = {
        owner: request.owner,
        documentPaths,
        ...(request.cover === null
          ? {}
          : {
              cover: {
                cover: request.cover.cover,
                date: request.cover.date,
                ...(logoPath === undefined ? {} : { logoPath }),
              },
            }),
        resolution: request.resolution,
        enhancement: request.enhancement,
        settings: {
          paper: this.#settings.paper.name === 'a4' ? 'a4' : 'letter',
          maxPages: this.#settings.maxPages,
          maxPicturePixels: this.#settings.maxPicturePixels,
          office: this.#settings.office,
          ...(this.#settings.threads === undefined ? {} : { threads: this.#settings.threads }),
        },
        outputPath: output,
      }
      let result: { pages: number; bytes: number }
      try {
        result = await this.#run(
          job,
          (progress) => {
            onPage(progress.pagesDone)
          },
          signal,
        )
      } catch (error) {
        if (error instanceof RenderingError) {
          return { ok: false, status: error.status, description: error.message }
        }
        throw error
      }
      await this.#files.put(request.outputKey, createReadStream(output), MAX_DOCUMENT_BYTES)
      return { ok: true, ...result }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  async preview(documentKey: string, page: number, maxWidth: number): Promise<Uint8Array | null> {
    return drawPage(await readAllBytes(this.#files.get(documentKey)), page, maxWidth)
  }

  async previewDraft(request: DraftRequest, page: number, maxWidth: number): Promise<DraftPreview> {
    const key = JSON.stringify([request.documentKeys, request.resolution, request.enhancement])
    let entry = this.#drafts.get(key)
    if (entry === undefined) {
      if (this.#draftWaiters.length >= MAX_DRAFTS_WAITING) {
        throw new DomainError(
          'previews_busy',
          'This server is drawing as many previews as it can; ask again in a few seconds',
          { retryAfterSeconds: PREVIEWS_BUSY_RETRY_SECONDS },
        )
      }
      const created: DraftEntry = { draft: this.#renderDraft(request), bytes: null }
      entry = created
      this.#drafts.set(key, created)
      created.draft.then(
        (rendered) => {
          created.bytes = rendered.ok ? rendered.tiff.length : 0
          this.#forgetOldDrafts(created)
        },
        () => {
          // A fault of the machinery: not kept, so that the next asking tries again.
          if (this.#drafts.get(key) === created) {
            this.#drafts.delete(key)
          }
        },
      )
    } else {
      // Most recently used last: the oldest are forgotten first.
      this.#drafts.delete(key)
      this.#drafts.set(key, entry)
    }
    const rendered = await entry.draft
    if (!rendered.ok) {
      return rendered
    }
    return { ok: true, pages: rendered.pages, png: await drawPage(rendered.tiff, page, maxWidth) }
  }

  /** Renders a draft under a key of its own, reads it back and deletes it: it lives in memory. */
  async #renderDraft(request: DraftRequest): Promise<RenderedDraft> {
    // Drafts are rendered on request of the API; a few at a time, whatever is asked at once.
    while (this.#draftsRendering >= MAX_DRAFTS_RENDERING) {
      await new Promise<void>((resolve) => this.#draftWaiters.push(resolve))
    }
    this.#draftsRendering++
    const outputKey = `drafts/${randomUUID()}.tif`
    try {
      const outcome = await this.render({ ...request, cover: null, outputKey })
      if (!outcome.ok) {
        return outcome
      }
      return {
        ok: true,
        pages: outcome.pages,
        tiff: await readAllBytes(this.#files.get(outputKey)),
      }
    } finally {
      this.#draftsRendering--
      this.#draftWaiters.shift()?.()
      // The draft is in memory; a key left behind by a failed delete costs disk, not the answer.
      await this.#files.delete(outputKey).catch(() => {})
    }
  }

  /**
   * Keeps the drafts most recently looked at, at most MAX_DRAFTS and MAX_DRAFT_BYTES of TIFF
   * together, counting those rendered; `kept` (just rendered) stays even when it alone is over,
   * so that its next pages are drawn without rendering it again.
   */
  #forgetOldDrafts(kept: DraftEntry): void {
    let total = 0
    for (const entry of this.#drafts.values()) {
      total += entry.bytes ?? 0
    }
    let count = this.#drafts.size
    for (const [key, entry] of this.#drafts) {
      if ((total <= MAX_DRAFT_BYTES && count <= MAX_DRAFTS) || entry === kept) {
        break
      }
      if (entry.bytes === null) {
        continue // still rendering: those asking for it are waiting on it
      }
      this.#drafts.delete(key)
      total -= entry.bytes
      count--
    }
  }
}

type RenderedDraft =
  | { readonly ok: true; readonly pages: number; readonly tiff: Uint8Array }
  | { readonly ok: false; readonly status: FaxStatus; readonly description: string }

interface DraftEntry {
  readonly draft: Promise<RenderedDraft>
  /** Its TIFF's size once rendered (0 when it could not be); null while it renders. */
  bytes: number | null
}

/**
 * Page `page` (from 1) of a TIFF-F as a PNG at most `maxWidth` wide, with square pixels; null
 * when there is no such page.
 */
async function drawPage(
  bytes: Uint8Array,
  page: number,
  maxWidth: number,
): Promise<Uint8Array | null> {
  const info = listTiffPages(bytes)[page - 1]
  if (info === undefined) {
    return null
  }
  const bitmap = decodeTiffPage(bytes, info)
  const grey = new Uint8Array(bitmap.width * bitmap.height).fill(255)
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if ((bitmap.data[y * bitmap.rowBytes + (x >> 3)]! & (0x80 >> (x & 7))) !== 0) {
        grey[y * bitmap.width + x] = 0
      }
    }
  }
  // Fax pels are not square (204 across, 98/196/392 down): draw them square for the eye.
  const xDpi = info.xDpi ?? 204
  const yDpi = info.yDpi ?? 196
  const width = Math.min(maxWidth, bitmap.width)
  const height = Math.max(1, Math.round((bitmap.height * xDpi * width) / (yDpi * bitmap.width)))
  const { default: sharp } = await loadSharp()
  const png = await sharp(grey, {
    raw: { width: bitmap.width, height: bitmap.height, channels: 1 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .png({ palette: true, colours: 16, compressionLevel: 9 })
    .toBuffer()
  return new Uint8Array(png)
}

let sharpModule: Promise<typeof import('sharp')> | undefined
function loadSharp(): Promise<typeof import('sharp')> {
  sharpModule ??= import('sharp')
  return sharpModule
}
