/**
 * What each /v3 route declares besides its schema: its Fax.Plus operationId, a summary for the
 * OpenAPI document, and the token scopes that permit it (from the Fax.Plus docs per operation).
 */
import type { Scope } from '../domain/scopes.js'

export interface RouteConfig {
  readonly operationId: string
  readonly summary: string
  readonly tag: string
  readonly scopes: readonly Scope[]
  /** The success answer, for the OpenAPI document. */
  readonly success: {
    readonly status: number
    readonly description: string
    /** A named schema (`Outbox`), or an inline one; absent for an empty body. */
    readonly schema?: string | Record<string, unknown>
    /** Default application/json; several when the answer comes in more than one type. */
    readonly contentType?: string | readonly string[]
    /** Header fields the answer carries, by name (OpenAPI Header objects). */
    readonly headers?: Readonly<
      Record<string, { readonly description: string; readonly schema: Record<string, unknown> }>
    >
  }
  /** Set on the upload route, whose body is multipart/form-data rather than JSON. */
  readonly multipartFile?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: RouteConfig
  }
  interface FastifyRequest {
    actor?: import('../use-cases/context.js').Actor
  }
}

export const READ_FAX: readonly Scope[] = ['fax:all:read', 'fax:fax:read']
export const EDIT_FAX: readonly Scope[] = ['fax:all:edit', 'fax:fax:edit']
