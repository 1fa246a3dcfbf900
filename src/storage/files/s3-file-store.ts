/**
 * FileStore on S3-compatible object storage, so that every node of a deployment reads what any
 * node stored (docs/scaling.md). Keys are checked as FsFileStore checks them and stored under a
 * prefix in one bucket.
 *
 * A put streams its source through lib-storage's Upload: a document smaller than one part goes
 * up as one PutObject, a larger one as a multipart upload of PART_BYTES parts, so no more than
 * one part is in memory. S3 makes an object visible only when its PutObject or
 * CompleteMultipartUpload succeeds: a source that fails or passes `maxBytes` makes the upload
 * abort (the parts sent so far are deleted), and the key keeps what it held before, as with the
 * file system store. A get streams the object's body; delete of a missing key is no error (S3's
 * DeleteObject is idempotent).
 */
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { DomainError } from '../../domain/domain-error.js'
import type { FileStore } from '../../domain/ports.js'
import { checkedKey } from './file-store-keys.js'

/** Multipart part size: S3's minimum is 5 MiB; one part at a time is held in memory. */
export const PART_BYTES = 8 * 1024 * 1024

export interface S3FileStoreSettings {
  readonly bucket: string
  /** Prepended to every key ('' for none; otherwise ends with '/'). */
  readonly prefix: string
  readonly region: string
  /** An S3-compatible server's URL; null for AWS itself. */
  readonly endpoint: string | null
  /** Bucket in the path (http://host/bucket/key), as most S3-compatible servers want. */
  readonly forcePathStyle: boolean
  /** Server-side encryption asked of S3 for every object; null leaves the bucket's default. */
  readonly serverSideEncryption: ServerSideEncryption | null
}

export class S3FileStore implements FileStore {
  readonly #settings: S3FileStoreSettings
  readonly #client: S3Client

  /** Credentials come from the AWS SDK's usual chain (environment, profile, instance role). */
  constructor(settings: S3FileStoreSettings) {
    this.#settings = settings
    this.#client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
      // Checksums only where S3 requires them: some S3-compatible servers store a streamed body
      // with the SDK's aws-chunked framing in it otherwise (s3rver does).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  /** Ends the client's connections. */
  close(): void {
    this.#client.destroy()
  }

  async put(
    key: string,
    source: AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ sizeBytes: number }> {
    const objectKey = this.#objectKey(key)
    let sizeBytes = 0
    // What ended the source early (its own error, or the size limit): the error the put reports,
    // rather than the one the upload's abort may meet afterwards.
    let sourceFailure: { error: unknown } | null = null
    async function* limited(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of source) {
          sizeBytes += chunk.byteLength
          if (sizeBytes > maxBytes) {
            throw new DomainError('files_too_large', `the file is larger than ${maxBytes} bytes`)
          }
          yield chunk
        }
      } catch (error) {
        sourceFailure = { error }
        throw error
      }
    }
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#settings.bucket,
        Key: objectKey,
        Body: Readable.from(limited(), { objectMode: false }),
        ...(this.#settings.serverSideEncryption === null
          ? {}
          : { ServerSideEncryption: this.#settings.serverSideEncryption }),
      },
      partSize: PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
    })
    try {
      await upload.done()
    } catch (error) {
      throw (sourceFailure as { error: unknown } | null)?.error ?? error
    }
    return { sizeBytes }
  }

  get(key: string): AsyncIterable<Uint8Array> {
    const objectKey = this.#objectKey(key)
    const { bucket } = this.#settings
    const client = this.#client
    return (async function* () {
      let body: AsyncIterable<Uint8Array>
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }))
        body = object.Body as AsyncIterable<Uint8Array>
      } catch (error) {
        throw error instanceof NoSuchKey ? missing(key, error) : error
      }
      yield* body
    })()
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({ Bucket: this.#settings.bucket, Key: this.#objectKey(key) }),
    )
  }

  #objectKey(key: string): string {
    return this.#settings.prefix + checkedKey(key)
  }
}

/** A missing document, as the file system store reports one (ENOENT). */
function missing(key: string, cause: unknown): Error {
  return Object.assign(new Error(`no document under ${JSON.stringify(key)}`, { cause }), {
    code: 'ENOENT',
  })
}
