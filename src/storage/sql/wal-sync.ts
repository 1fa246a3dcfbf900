/**
 * The disk wait of a SQLite commit, off the event loop. The connection runs with
 * `synchronous = NORMAL`: a commit appends its frames to the write-ahead log without syncing it
 * ("WAL mode is safe from corruption with synchronous=NORMAL … but a transaction committed in
 * WAL mode with synchronous=NORMAL might roll back following a power loss", sqlite.org/pragma).
 * The driver (sqlite-database.ts) then calls sync() and answers the write only once it resolves,
 * so what faxd acknowledges is on disk as with `synchronous = FULL`, but the fdatasync runs on
 * libuv's thread pool while the event loop serves other requests.
 *
 * Coalesced: a sync() while one is in flight waits for the next fdatasync (the one in flight
 * may have begun before the caller's commit), and every caller that arrives meanwhile shares
 * that next one. fdatasync is per file, not per descriptor (POSIX: "all data for the open file
 * descriptor named by fildes is to be transferred"; on Linux it flushes the file's dirty pages
 * whichever descriptor wrote them), so a descriptor of our own on the WAL file flushes what
 * SQLite's wrote. The descriptor is opened at the first sync and kept: SQLite deletes the WAL
 * only when the last connection to the database closes, and this one stays open until close().
 */
import { type FileHandle, open } from 'node:fs/promises'

export class WalSync {
  readonly #walPath: string
  #inFlight: Promise<void> | null = null
  #next: Promise<void> | null = null
  #handle: Promise<FileHandle> | null = null
  #completed = 0

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`
  }

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (this.#inFlight === null) {
      const flight = this.#fdatasync().finally(() => {
        this.#inFlight = null
      })
      this.#inFlight = flight
      return flight
    }
    const after = (): Promise<void> => {
      this.#next = null
      return this.sync()
    }
    this.#next ??= this.#inFlight.then(after, after)
    return this.#next
  }

  async #fdatasync(): Promise<void> {
    this.#handle ??= open(this.#walPath, 'r')
    let handle: FileHandle
    try {
      handle = await this.#handle
    } catch (error) {
      this.#handle = null
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return // no log yet: nothing was written through this connection
      }
      throw error
    }
    await handle.datasync()
    this.#completed += 1
  }

  /** fdatasync calls finished so far (to see the coalescing). */
  get completed(): number {
    return this.#completed
  }

  /** Closes the descriptor; a later sync opens it again. */
  async close(): Promise<void> {
    const handle = this.#handle
    this.#handle = null
    await (await handle?.catch(() => null))?.close()
  }
}
