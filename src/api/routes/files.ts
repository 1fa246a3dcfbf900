/**
 * Upload of a document to send: multipart/form-data with one part named `fax_file`. The
 * `format` query (pdf or tiff in the SDK docs; other values seen in the wild) is accepted and
 * ignored: the type comes from the content.
 *
 * Download of a fax's pages (getFile): `format` (pdf or tiff) "overrides the Accept header"
 * (Fax.Plus JS SDK); without it an Accept header naming exactly one of application/pdf and
 * image/tiff decides, and otherwise the caller's default_file_type, else PDF. The Python SDK
 * sends `Accept: application/json` on downloads, which so gets the default rather than a 406.
 */
import type { Multipart, MultipartFile } from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { DomainError } from '../../domain/domain-error.js'
import type { Services } from '../../use-cases/context.js'
import { type FaxFileFormat, FAX_FILE_FORMATS, getFaxFile } from '../../use-cases/get-fax-file.js'
import { uploadFile } from '../../use-cases/upload-file.js'
import { ApiError } from '../api-error.js'
import { actorOf } from '../authenticate-request.js'
import { isStorable, unstorableText } from '../storable-text.js'
import { READ_FAX } from '../route-config.js'
import {
  pageParam,
  pathParams,
  PREVIEW_SUCCESS,
  previewQuery,
  previewRequest,
  sendPng,
  userIdParam,
} from './params.js'
import { previewUploadPage } from '../../use-cases/preview-page.js'

const FILE_PART = 'fax_file'

/** The media type of each download format. */
const MEDIA_TYPES: Readonly<Record<FaxFileFormat, string>> = {
  pdf: 'application/pdf',
  tiff: 'image/tiff',
}

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

type Parts = AsyncIterator<Multipart>

/** The first file part of the body; fields before it are passed over. */
async function firstFilePart(parts: Parts): Promise<MultipartFile | undefined> {
  for (;;) {
    const next = await parts.next().catch((error: unknown) => {
      throw malformed(error)
    })
    if (next.done === true) {
      return undefined
    }
    if (next.value.type === 'file') {
      return next.value
    }
  }
}

/**
 * The rest of the body, read to its end: a second file is refused with `too_many_files` (the
 * parser's files limit of 1 reports it as FST_FILES_LIMIT) instead of being dropped without a
 * word, and the first is then deleted (uploadFile's beforeRecording).
 */
async function noOtherFile(parts: Parts): Promise<void> {
  for (;;) {
    const next = await parts.next().catch((error: unknown) => {
      throw (error as { code?: unknown })?.code === 'FST_FILES_LIMIT'
        ? new ApiError(400, 'too_many_files', ONE_FILE)
        : malformed(error)
    })
    if (next.done === true) {
      return
    }
    if (next.value.type === 'file') {
      next.value.file.resume()
      throw new ApiError(400, 'too_many_files', ONE_FILE)
    }
  }
}

const ONE_FILE = `An upload takes one file, in the part named "${FILE_PART}": upload each file in a request of its own`

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
      const parts = request.parts()[Symbol.asyncIterator]()
      const part = await firstFilePart(parts)
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
        beforeRecording: () => noOtherFile(parts),
      })
      return { path: file.path }
    },
  })

  app.get<{
    Params: { user_id: string; page: string }
    Querystring: {
      path: string
      width?: string
      resolution?: 'fine' | 'superfine'
      enhancement?: 'true' | 'false'
    }
  }>('/accounts/:user_id/files/pages/:page', {
    schema: {
      params: pathParams({ ...userIdParam, ...pageParam }),
      querystring: {
        type: 'object',
        required: ['path'],
        properties: {
          ...previewQuery.properties,
          path: {
            type: 'string',
            maxLength: 1024,
            description: 'The path uploadFile answered, e.g. /transient-…',
          },
          resolution: {
            type: 'string',
            enum: ['fine', 'superfine'],
            description: 'As sendFax would send it (default fine)',
          },
          enhancement: {
            type: 'string',
            enum: ['true', 'false'],
            description: "As sendFax's options.enhancement (default true)",
          },
        },
      },
    },
    config: {
      operation: {
        operationId: 'getFilePage',
        summary:
          'A page of an uploaded document as sendFax would render it (no cover page), as a PNG; X-Fax-Pages says how many (faxd, beyond Fax.Plus)',
        tag: 'Files',
        scopes: READ_FAX,
        success: {
          ...PREVIEW_SUCCESS,
          headers: {
            'X-Fax-Pages': {
              description: 'How many fax pages the document makes',
              schema: { type: 'integer', minimum: 1 },
            },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const { user_id, page } = request.params
      const { path, width, resolution, enhancement } = request.query
      const { png, pages } = await previewUploadPage(services, actorOf(request), {
        ...previewRequest(user_id, page, width),
        path,
        resolution: resolution ?? 'fine',
        enhancement: enhancement !== 'false',
      })
      return sendPng(reply.header('x-fax-pages', String(pages)), png)
    },
  })

  app.get<{
    Params: { user_id: string; fax_id: string }
    Querystring: { format?: FaxFileFormat }
  }>('/accounts/:user_id/files/:fax_id', {
    schema: {
      params: pathParams({ ...userIdParam, fax_id: { type: 'string', maxLength: 64 } }),
      querystring: {
        type: 'object',
        properties: {
          format: {
            type: 'string',
            enum: FAX_FILE_FORMATS,
            description: 'pdf or tiff; overrides the Accept header',
          },
        },
      },
    },
    config: {
      operation: {
        operationId: 'getFile',
        summary: 'Download the pages of a sent or received fax, as PDF or TIFF (by fax id)',
        tag: 'Files',
        scopes: READ_FAX,
        success: {
          status: 200,
          description: 'The pages: a PDF, or the TIFF-F as stored',
          contentType: Object.values(MEDIA_TYPES),
          schema: { type: 'string', format: 'binary' },
        },
      },
    },
    handler: async (request, reply) => {
      const format = request.query.format ?? formatFromAccept(request.headers.accept)
      const file = await getFaxFile(
        services,
        actorOf(request),
        request.params.user_id,
        request.params.fax_id,
        format,
      )
      return reply
        .type(MEDIA_TYPES[file.format])
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'private')
        .send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength))
    },
  })
}

/**
 * The format an Accept header asks for (RFC 9110 §12.5.1): the one of application/pdf and
 * image/tiff it lists with a weight above 0, or null when it lists both or neither (a
 * wildcard, `application/json`, no header at all).
 */
function formatFromAccept(accept: string | undefined): FaxFileFormat | null {
  const wanted = new Set<FaxFileFormat>()
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase())
    const weight = parameters.find((parameter) => /^q\s*=/.test(parameter))
    if (weight !== undefined && Number(weight.replace(/^q\s*=/, '')) === 0) {
      continue
    }
    for (const format of FAX_FILE_FORMATS) {
      if (type === MEDIA_TYPES[format]) {
        wanted.add(format)
      }
    }
  }
  const [only] = wanted
  return wanted.size === 1 && only !== undefined ? only : null
}
