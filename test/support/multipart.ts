/** A multipart/form-data body with one file part, as the SDKs' form-data libraries build it. */
import { randomBytes } from 'node:crypto'

export function multipartBody(
  fieldName: string,
  fileName: string,
  mimeType: string,
  content: Uint8Array,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `--------------------------${randomBytes(12).toString('hex')}`
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${fieldName}"; filename="${fileName}"\r\n` +
    `Content-Type: ${mimeType}\r\n\r\n`
  const payload = Buffer.concat([
    Buffer.from(head),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
