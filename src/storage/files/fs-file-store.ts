/**
 * FileStore on the local file system, under one root folder. A document is written to a temp
 * name next to its final place, fsynced, renamed into place, and the folder fsynced, so a key
 * holds the whole document or nothing: when any step fails, what the put wrote (the temp file,
 * or the renamed document when only the folder's fsync failed) is removed before the error is
 * thrown, and a failure of that removal never hides the error. A full disk (ENOSPC) or a used-up
 * quota (EDQUOT) becomes StoreUnavailableError('full'), which the API answers 503 with
 * Retry-After, as it does a full database. Keys are checked by file-store-keys.ts, and none may
 * leave the root.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { DomainError } from '../../domain/domain-error.js'
import type { FileStore } from '../../domain/ports.js'
import { StoreUnavailableError } from '../../domain/store-unavailable.js'
import { checkedKey } from './file-store-keys.js'

export class FsFileStore implements FileStore {
  readonly #root: string

  constructor(root: string) {
    this.#root = resolve(root)
  }

  async put(
    key: string,
    source: AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ sizeBytes: number }> {
    const target = this.#pathOf(key)
    const folder = dirname(target)
    const temp = join(folder, `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`)
    let sizeBytes = 0
    let renamed = false
    try {
      await makeFolder(folder)
      const file = await open(temp, 'wx')
      try {
        for await (const chunk of source) {
          sizeBytes += chunk.byteLength
          if (sizeBytes > maxBytes) {
            throw new DomainError('files_too_large', `the file is larger than ${maxBytes} bytes`)
          }
          await writeWhole(file, chunk)
        }
        await file.sync()
      } catch (error) {
        await file.close().catch(() => undefined)
        throw error
      }
      // Some file systems (NFS) report a write that failed for want of room only on close.
      await file.close()
      await rename(temp, target)
      renamed = true
      await syncFolder(folder)
    } catch (error) {
      // The caller is told the put failed, so the key must not hold the document either.
      await rm(renamed ? target : temp, { force: true }).catch(() => undefined)
      throw fullDiskAsUnavailable(error)
    }
    return { sizeBytes }
  }

  get(key: string): AsyncIterable<Uint8Array> {
    return createReadStream(this.#pathOf(key))
  }

  async delete(key: string): Promise<void> {
    await rm(this.#pathOf(key), { force: true })
  }

  #pathOf(key: string): string {
    const path = resolve(this.#root, checkedKey(key))
    if (!path.startsWith(this.#root + sep)) {
      throw new Error(`${JSON.stringify(key)} points outside the file store`)
    }
    return path
  }
}

/** Errors of a file system that has no room left for what is written. */
const NO_ROOM: ReadonlyMap<unknown, string> = new Map([
  ['ENOSPC', 'the disk holding the file store is full'],
  ['EDQUOT', 'the disk quota of the file store is used up'],
])

/** ENOSPC and EDQUOT as StoreUnavailableError('full'); any other error as it is. */
function fullDiskAsUnavailable(error: unknown): unknown {
  if (!(error instanceof Error)) {
    return error
  }
  const sentence = NO_ROOM.get((error as { code?: unknown }).code)
  if (sentence === undefined) {
    return error
  }
  return new StoreUnavailableError('full', `${sentence}: ${error.message}`, { cause: error })
}

/**
 * `folder` and any missing parents, one level at a time. Node's recursive mkdir reports ENOENT
 * when a level cannot be made for want of room (nodejs/node#42808), which would hide a full disk.
 */
async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const parent = dirname(folder)
    if (code === 'EEXIST') {
      return
    }
    if (code !== 'ENOENT' || parent === folder) {
      throw error
    }
    await makeFolder(parent)
    await mkdir(folder).catch((again: unknown) => {
      if ((again as { code?: unknown }).code !== 'EEXIST') {
        throw again
      }
    })
  }
}

async function writeWhole(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset)
    offset += bytesWritten
  }
}

/** Makes a rename in `folder` durable. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => undefined)
    throw error
  }
  await handle.close()
}
