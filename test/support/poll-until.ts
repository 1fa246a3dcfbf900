/**
 * Asks again until an answer comes, within a deadline: for what a test waits on in another
 * process (a fax ending, a render done), which no event reports. Fails naming what it waited
 * for, instead of hanging until the suite's own limit.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | null>,
  what: string,
  { deadlineMs = 120_000, everyMs = 200 }: { deadlineMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const answer = await probe()
    if (answer !== null) {
      return answer
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${deadlineMs / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
