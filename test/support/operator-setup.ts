/**
 * What an operator does before a test's `faxd serve` takes requests: an account with a sending
 * number and a personal access token, written straight into the store the server will open.
 */
import type { StoreOptions } from '../../src/storage/sql/open-store.js'
import { openStore } from '../../src/storage/sql/open-store.js'
import { systemClock } from '../../src/shared/clock.js'
import { TEST_PASSWORDS } from './test-passwords.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { createPersonalToken } from '../../src/use-cases/create-personal-token.js'

/**
 * Creates the account `email` owning `number`, with `password` to sign in with when one is
 * given; answers its token.
 */
export async function aSenderWithToken(
  storeOptions: StoreOptions,
  email: string,
  number: string,
  password: string | null = null,
): Promise<string> {
  const store = await openStore(storeOptions)
  try {
    const services = { store, clock: systemClock, passwords: TEST_PASSWORDS }
    const account = await createAccount(services, {
      email,
      type: 'individual',
      adminUid: null,
      password,
    })
    await addNumber(services, { number, ownerUid: account.uid, assignTo: [] })
    const { token } = await createPersonalToken(services, {
      uid: account.uid,
      scopes: null,
      expiresInDays: null,
    })
    return token
  } finally {
    await store.close()
  }
}
