/**
 * Live data: a load run now and then every `intervalMs` while the tab is visible (and at once
 * when it becomes visible again), its latest answer kept. An answer that fails keeps the last
 * good one on screen and says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks'

export interface Polled<T> {
  readonly data: T | null
  readonly error: Error | null
  /** Runs the load again now (after a change made from this tab). */
  readonly refresh: () => void
}

export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  key: string,
): Polled<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    setData(null)
    setError(null)
  }, [key])

  useEffect(() => {
    const controller = new AbortController()
    let timer: number | undefined
    let loading = false
    const run = async (): Promise<void> => {
      window.clearTimeout(timer)
      if (loading) {
        return // the load in flight sets the next timer
      }
      loading = true
      try {
        const answer = await loadRef.current(controller.signal)
        if (!controller.signal.aborted) {
          setData(answer)
          setError(null)
        }
      } catch (failure) {
        if (!controller.signal.aborted) {
          setError(failure instanceof Error ? failure : new Error(String(failure)))
        }
      } finally {
        loading = false
      }
      if (!controller.signal.aborted && document.visibilityState === 'visible') {
        timer = window.setTimeout(() => void run(), intervalMs)
      }
    }
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') {
        void run()
      }
    }
    document.addEventListener('visibilitychange', onVisible)
    void run()
    return () => {
      controller.abort()
      window.clearTimeout(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [key, intervalMs, tick])

  return { data, error, refresh: () => setTick((n) => n + 1) }
}
