/**
 * setPassword: the operator sets an account's password (`faxd accounts set-password`), under
 * the rules every new password meets (domain/password-policy.ts). The account's failed sign-ins
 * are forgotten with the old password, so its owner is not held back by guesses at it.
 */
import { DomainError } from '../domain/domain-error.js'
import { passwordProblem } from '../domain/password-policy.js'
import { signInKeys } from '../domain/sign-in-throttle.js'
import type { OperatorServices } from './context.js'

export async function setPassword(
  services: OperatorServices,
  input: { uid: string; password: string },
): Promise<void> {
  const account = await services.store.accounts.get(input.uid)
  if (!account) {
    throw new DomainError('invalid_user_id', `No account ${input.uid}`)
  }
  const problem = passwordProblem(input.password, account.email)
  if (problem !== null) {
    throw new DomainError('weak_password', problem)
  }
  await services.store.accounts.setPasswordHash(
    account.uid,
    await services.passwords.hash(input.password),
  )
  await services.store.signInThrottle.clear([signInKeys(account.email, '').account])
}
