/**
 * What a render of one fax needs, as plain data that can cross to a child process: where the
 * documents are on disk, the cover, the options, the settings, and where to write the TIFF-F.
 */
import type { CoverPage, Resolution } from '../domain/outbox-entry.js'
import type { OfficeConverterOptions } from './office-conversion.js'
import type { RenderingFailure } from './rendering-error.js'

export interface RenderJob {
  /**
   * Whose documents these are (the sender's user id): a render process that rendered one fax
   * may render the next of the same owner, never another's (render-process-pool.ts). None: a
   * render process of its own.
   */
  readonly owner?: string
  /** Files in the order they are sent. */
  readonly documentPaths: readonly string[]
  readonly cover?: { readonly cover: CoverPage; readonly date: string; readonly logoPath?: string }
  readonly resolution: Resolution
  readonly enhancement: boolean
  readonly settings: {
    readonly paper: 'letter' | 'a4'
    readonly maxPages: number
    readonly maxPicturePixels: number
    readonly office: OfficeConverterOptions | undefined
    readonly threads?: number
  }
  /** Where the TIFF-F is written (through a temporary name, renamed when complete). */
  readonly outputPath: string
}

/** Messages from the render process to its parent. */
export type RenderMessage =
  | { readonly type: 'progress'; readonly pagesDone: number; readonly document: number }
  | {
      readonly type: 'done'
      readonly pages: number
      readonly bytes: number
      /** The process waits for another job; else it leaves now (it lowered its priority). */
      readonly takesMore?: boolean
    }
  | { readonly type: 'failed'; readonly status: RenderingFailure; readonly message: string }
