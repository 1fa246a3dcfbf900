/**
 * Upload of a document to send: multipart/form-data with one part named `fax_file`. The
 * `format` query (pdf or tiff in the SDK docs; other values seen in the wild) is accepted and
 * ignored: the type comes from the content.
 */
import type { FastifyInstance } from 'fastify'
import { DomainError } from '../../domain/domain-error.js'
import type { Services } from '../../use-cases/context.js'
import { uploadFile } from '../../use-cases/upload-file.js'
import { ApiError } from '../api-error.js'
import { actorOf } from '../authenticate-request.js'
import { isStorable, unstorableText } from '../storable-text.js'
import { pathParams, userIdParam } from './params.js'

const FILE_PART = 'fax_file'

/** File names are kept for people to read; a longer one is a mistake or an attack. */
const MAX_FILE_NAME_LENGTH = 255

/**
 * The file's bytes as the FileStore reads them. The multipart parser stops a file at the size
 * limit and marks the stream truncated rather than failing it, and a body cut short fails with
 * the parser's own error: both become our errors here, which makes the FileStore drop what it
 * wrote.
 */
async function* uploadedBytes(
  stream: AsyncIterable<Uint8Array> & { truncated: boolean },
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) {
      yield chunk
    }
  } catch (error) {
    throw malformed(error)
  }
  if (stream.truncated) {
    throw new DomainError('files_too_large', 'A file may not exceed 150 MB')
  }
}

/** The multipart parser's own errors (no boundary, a body cut short) carry no status. */
function malformed(error: unknown): unknown {
  const hasStatus = typeof (error as { statusCode?: unknown })?.statusCode === 'number'
  if (error instanceof ApiError || error instanceof DomainError || hasStatus) {
    return error
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new ApiError(400, 'invalid_request_body', `The multipart body is malformed: ${reason}`)
}

export function registerFileRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { user_id: string } }>('/accounts/:user_id/files', {
    schema: {
      params: pathParams(userIdParam),
      querystring: {
        type: 'object',
        properties: {
          format: { type: 'string', maxLength: 16, description: 'Accepted and ignored' },
        },
      },
    },
    config: {
      operation: {
        operationId: 'uploadFile',
        summary:
          'Upload a document to send: PDF, TIFF, PNG, JPEG, text or Office, told apart by content',
        tag: 'Files',
        scopes: ['fax:all:edit', 'fax:file:edit'],
        success: {
          status: 200,
          description: 'The path to put into files of sendFax',
          schema: 'FilePath',
        },
        multipartFile: FILE_PART,
      },
    },
    handler: async (request) => {
      if (!request.isMultipart()) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `Upload a file as multipart/form-data, part "${FILE_PART}"`,
        )
      }
      const part = await request.file().catch((error: unknown) => {
        throw malformed(error)
      })
      if (!part || part.fieldname !== FILE_PART) {
        throw new ApiError(400, 'missing_file', `The request has no file part named "${FILE_PART}"`)
      }
      if (!isStorable(part.filename) || !isStorable(part.mimetype)) {
        throw unstorableText()
      }
      if (part.filename.length > MAX_FILE_NAME_LENGTH) {
        throw new ApiError(
          400,
          'invalid_file_name',
          `File names may have at most ${MAX_FILE_NAME_LENGTH} characters`,
        )
      }
      const file = await uploadFile(services, actorOf(request), {
        userId: request.params.user_id,
        fileName: part.filename,
        mimeType: part.mimetype,
        content: uploadedBytes(part.file),
      })
      return { path: file.path }
    },
  })
}
