/**
 * A sender for the benches that drive faxd's use cases in process: an account with a number of
 * its own, signed in with a personal access token, and a text document uploaded, ready to be
 * sent with the sendFax use case.
 */
import { addNumber } from '../src/use-cases/add-number.js'
import { authenticate } from '../src/use-cases/authenticate.js'
import type { Actor, Services } from '../src/use-cases/context.js'
import { createAccount } from '../src/use-cases/create-account.js'
import { createPersonalToken } from '../src/use-cases/create-personal-token.js'
import { uploadFile } from '../src/use-cases/upload-file.js'

export interface BenchSender {
  readonly actor: Actor
  /** The uploaded document's path, for sendFax's `files`. */
  readonly filePath: string
}

export async function aBenchSender(
  services: Services,
  sender: { readonly email: string; readonly number: string; readonly text: string },
): Promise<BenchSender> {
  const account = await createAccount(services, {
    email: sender.email,
    type: 'individual',
    adminUid: null,
    password: null,
  })
  await addNumber(services, { number: sender.number, ownerUid: account.uid, assignTo: [] })
  const { token } = await createPersonalToken(services, {
    uid: account.uid,
    scopes: null,
    expiresInDays: null,
  })
  const actor: Actor = { ...(await authenticate(services, token, null)), ip: '127.0.0.1' }
  const file = await uploadFile(services, actor, {
    userId: 'self',
    fileName: 'bench.txt',
    mimeType: 'text/plain',
    content: oneChunk(new TextEncoder().encode(sender.text)),
  })
  return { actor, filePath: file.path }
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes
}
