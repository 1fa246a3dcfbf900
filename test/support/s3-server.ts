/**
 * An S3-compatible server for tests: s3rver (npm) in this process, on a free loopback port, its
 * objects in a temp folder, with the buckets asked for. It shares the test's event loop, so a
 * test that uses it must not block (no spawnSync) while it serves. The client settings are the
 * ones s3rver takes (path-style, its fixed credentials) and that faxd's S3FileStore is given.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'

interface S3rverInstance {
  run(): Promise<{ port: number }>
  close(): Promise<void>
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass

/** s3rver's fixed credentials, through the AWS SDK's environment chain. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface S3TestServer {
  readonly endpoint: string
  /** A client of the server, for looking at what a test left in a bucket. */
  readonly client: S3Client
  /**
   * Object keys in `bucket` under `prefix`. (s3rver implements neither ListMultipartUploads nor
   * AbortMultipartUpload: the parts of an unfinished upload are invisible, and stay.)
   */
  keys(bucket: string, prefix?: string): Promise<string[]>
  close(): Promise<void>
}

export async function startS3Server(buckets: readonly string[]): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'faxd-s3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  })
  return {
    endpoint,
    client,
    async keys(bucket, prefix = '') {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
      return (listed.Contents ?? []).map((object) => object.Key ?? '')
    },
    async close() {
      client.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

export { CREDENTIALS as S3_TEST_CREDENTIALS }
