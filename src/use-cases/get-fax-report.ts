/**
 * getFaxReport: the one-page PDF confirmation report of a fax record. The record is looked up
 * as getFax looks it up (another user's fax is `fax_not_found`); the report names the account
 * the fax belongs to beside its number, and shows page 1 when the fax has pages.
 */
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'
import { resolveUser } from './resolve-user.js'
import { sentPageHeaders } from './sent-page-headers.js'

export interface FaxReport {
  readonly bytes: Uint8Array
  /** "report-<fax id>.pdf". */
  readonly fileName: string
}

export async function getFaxReport(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
): Promise<FaxReport> {
  const fax = await getFax(services, actor, userId, faxId)
  // getFax found the record among this user's, so the user is the fax's owner.
  const owner = await resolveUser(services, actor, userId)
  const bytes = await services.documents.report({
    fax,
    account: { name: `${owner.name} ${owner.lastname}`.trim(), email: owner.email },
    headers: await sentPageHeaders(services, fax),
  })
  return { bytes, fileName: `report-${fax.id}.pdf` }
}
