// The listing clients' thread (listing-clients.ts starts it): plain JavaScript, because worker
// threads do not get the main thread's TypeScript loader. Lists `url` with `clients` clients,
// reading each whole answer, says 'listing' once each has listed once, and on any message
// stops and answers the number of lists read.
import { parentPort, workerData } from 'node:worker_threads'

const { url, token, clients } = workerData
let listing = true
let lists = 0
parentPort.once('message', () => {
  listing = false
})

async function listOnce() {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) {
    throw new Error(`${response.status} from ${url}`)
  }
  await response.arrayBuffer()
  lists += 1
}

await Promise.all(Array.from({ length: clients }, listOnce))
parentPort.postMessage('listing')
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (listing) {
      await listOnce()
    }
  }),
)
parentPort.postMessage(lists)
