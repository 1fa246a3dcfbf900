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

/**
 * The multipart parser stops a file at the size limit and marks the stream truncated rather
 * than failing it; failing here makes the FileStore drop what it wrote.
 */
async function* refuseTruncated(
  stream: AsyncIterable<Uint8Array> & { truncated: boolean },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    yield chunk
  }
  if (stream.truncated) {
    throw new DomainError('files_too_large', 'A file may not exceed 150 MB')
  }
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
        summary: 'Upload a document to send',
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
      const part = await request.file()
      if (!part || part.fieldname !== FILE_PART) {
        throw new ApiError(400, 'missing_file', `The request has no file part named "${FILE_PART}"`)
      }
      if (!isStorable(part.filename) || !isStorable(part.mimetype)) {
        throw unstorableText()
      }
      const file = await uploadFile(services, actorOf(request), {
        userId: request.params.user_id,
        fileName: part.filename,
        mimeType: part.mimetype,
        content: refuseTruncated(part.file),
      })
      return { path: file.path }
    },
  })
}
