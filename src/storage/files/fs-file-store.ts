/**
 * FileStore on the local file system, under one root folder. A document is written to a temp
 * name next to its final place, fsynced, renamed into place, and the folder fsynced, so a key
 * holds the whole document or nothing. Keys are relative paths of [A-Za-z0-9._-] segments
 * joined by `/`; none may leave the root.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { DomainError } from '../../domain/domain-error.js'
import type { FileStore } from '../../domain/ports.js'

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/

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
    await mkdir(folder, { recursive: true })
    const temp = join(folder, `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`)
    let sizeBytes = 0
    try {
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
      } finally {
        await file.close()
      }
      await rename(temp, target)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
    await syncFolder(folder)
    return { sizeBytes }
  }

  get(key: string): AsyncIterable<Uint8Array> {
    return createReadStream(this.#pathOf(key))
  }

  async delete(key: string): Promise<void> {
    await rm(this.#pathOf(key), { force: true })
  }

  #pathOf(key: string): string {
    const segments = key.split('/')
    if (!KEY.test(key) || segments.some((segment) => segment === '.' || segment === '..')) {
      throw new Error(`${JSON.stringify(key)} is not a valid file store key`)
    }
    const path = resolve(this.#root, key)
    if (!path.startsWith(this.#root + sep)) {
      throw new Error(`${JSON.stringify(key)} points outside the file store`)
    }
    return path
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
  } finally {
    await handle.close()
  }
}
