/**
 * The crash test's seed: the same seed makes the same faxes, options and kill schedule, so a
 * failing run can be replayed with CRASH_SEED. Time still decides what a kill interrupts, so a
 * replay reproduces the plan, not every interleaving.
 */
import { randomInt } from 'node:crypto'

/** The seed from CRASH_SEED when it is set, else a fresh one. */
export function crashSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['CRASH_SEED']
  if (text === undefined || text === '') {
    return randomInt(1, 2 ** 31)
  }
  const seed = Number(text)
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`CRASH_SEED must be a whole number from 0 to 2^32 - 1, not ${text}`)
  }
  return seed
}
