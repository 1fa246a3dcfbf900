/**
 * The port through which use cases turn documents into fax pages and look at them again. The
 * documents and the result live in the FileStore; the renderer reads and writes them there. A
 * document that cannot be rendered is an expected outcome (the fax ends with a Fax.Plus status),
 * answered as a value; only a fault of the machinery itself is thrown.
 */
import type { FaxStatus } from './fax.js'
import type { CoverPage, Resolution } from './outbox-entry.js'

export interface PageRenderRequest {
  /** Whose documents these are (the sender's uid): renders of one owner may share a process. */
  readonly owner: string
  /** FileStore keys of the documents, in the order they are sent. */
  readonly documentKeys: readonly string[]
  readonly cover: {
    readonly cover: CoverPage
    /** As printed on the cover, e.g. "2026-11-27 18:40 UTC". */
    readonly date: string
    /** FileStore key of the company logo, when the cover asks for it and there is one. */
    readonly logoKey: string | null
  } | null
  readonly resolution: Resolution
  readonly enhancement: boolean
  /** FileStore key the TIFF-F is written under. */
  readonly outputKey: string
}

export type PageRenderOutcome =
  | { readonly ok: true; readonly pages: number; readonly bytes: number }
  | { readonly ok: false; readonly status: FaxStatus; readonly description: string }

/** Documents to be looked at before they are sent: rendered as a fax would be, without a cover. */
export interface DraftRequest {
  /** Whose documents these are, as in PageRenderRequest. */
  readonly owner: string
  readonly documentKeys: readonly string[]
  readonly resolution: Resolution
  readonly enhancement: boolean
}

/** A page of a draft: the PNG (null past the last page) and how many pages there are. */
export type DraftPreview =
  | { readonly ok: true; readonly pages: number; readonly png: Uint8Array | null }
  | { readonly ok: false; readonly status: FaxStatus; readonly description: string }

export interface PageRenderer {
  /** `signal` stops the render: its reason is thrown, and nothing is stored. */
  render(
    request: PageRenderRequest,
    onPage?: (pagesDone: number) => void,
    signal?: AbortSignal,
  ): Promise<PageRenderOutcome>
  /**
   * Page `page` (from 1) of a rendered document as a PNG, at most `maxWidth` pixels wide, drawn
   * with square pixels; null when the document has no such page.
   */
  preview(documentKey: string, page: number, maxWidth: number): Promise<Uint8Array | null>
  /**
   * Page `page` of documents not yet sent, drawn as preview() draws a page. The draft is
   * rendered once and kept a while for the pages asked next; one that cannot be rendered is
   * answered as render() answers it.
   */
  previewDraft(request: DraftRequest, page: number, maxWidth: number): Promise<DraftPreview>
  /**
   * Lets go of what is kept from one render to the next (render processes waiting for their
   * owner's next fax); renders in flight finish as they would have.
   */
  close(): Promise<void>
}
