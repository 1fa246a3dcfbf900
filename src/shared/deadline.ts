/**
 * `work`'s outcome, or `late()`'s once `ms` have passed without one (its value, or what it
 * throws); the timer is cleared either way. `work` itself goes on: this only stops waiting.
 */
export async function settleWithin<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  }).then(late)
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}
