/**
 * The password hashing of the suite's services: scrypt at N = 2^10, r = 8, p = 1, about a
 * hundredth of the service's cost (PASSWORD_HASH_COST: 0.17 CPU-seconds a hash), since the
 * sign-in tests hash and check hundreds of passwords. What the service stores is checked in
 * test/cli/operator-cli.test.ts, through `faxd accounts set-password`.
 */
import { PasswordHashing } from '../../src/shared/secrets.js'

export const TEST_PASSWORDS = new PasswordHashing({ N: 2 ** 10, r: 8, p: 1 })
