/**
 * The clients that list the outbox without pause while list-scale.bench.ts measures GET
 * …/outbox/{id}. They run on a worker thread of their own (listing-clients.worker.mjs), so that
 * reading their large answers costs the measured server's event loop nothing, as when clients
 * are on other machines.
 */
import { Worker } from 'node:worker_threads'

export interface ListingClients {
  /** Stops the clients once their requests in flight are answered; resolves to the lists read. */
  stop(): Promise<number>
}

/** Starts `clients` clients listing `url`; resolves once each has listed once. */
export async function startListingClients(work: {
  readonly url: string
  readonly token: string
  readonly clients: number
}): Promise<ListingClients> {
  const worker = new Worker(new URL('./listing-clients.worker.mjs', import.meta.url), {
    workerData: work,
  })
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the listing clients exited (${code})`)))
  })
  const next = (): Promise<unknown> =>
    Promise.race([new Promise((resolve) => worker.once('message', resolve)), failed])
  await next()
  return {
    async stop() {
      const stopped = next()
      worker.postMessage('stop')
      const lists = Number(await stopped)
      await worker.terminate()
      return lists
    },
  }
}
