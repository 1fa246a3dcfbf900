/** A command line that does not say what it should: `faxd` prints the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
