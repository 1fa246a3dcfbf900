/**
 * sentPageHeaders: which header line each page of a sent fax carried, for the files that show
 * it as the recipient got it (getFile, getFaxReport). A page carries the header of the last
 * attempt that got it confirmed (with partially_sent_retry, pages of one fax can come from
 * calls at different times); a page no attempt got through, that of the last attempt. Null for
 * a received fax, and for one sent without a header line.
 */
import type { FaxRecord } from '../domain/fax.js'
import type { PageHeaders } from '../domain/fax-documents.js'
import type { Services } from './context.js'

export async function sentPageHeaders(
  services: Services,
  fax: FaxRecord,
): Promise<PageHeaders | null> {
  if (fax.direction !== 'outgoing' || fax.header === null) {
    return null
  }
  const byPage = new Map<number, string | null>()
  for (const attempt of await services.store.transmissions.listAttempts(fax.id)) {
    for (const page of attempt.pagesConfirmed) {
      byPage.set(page, attempt.header)
    }
  }
  const last = fax.header
  return (page) => (byPage.has(page) ? (byPage.get(page) ?? null) : last)
}
