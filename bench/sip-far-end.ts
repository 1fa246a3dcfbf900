/**
 * The far end of bench/sip-calls.bench.ts, in a process of its own so that the worker under
 * measurement does not carry it: a SIP service of ours on loopback that answers every call
 * and receives the fax with our T.30 engine (the same inbound path as faxd serve), keeping the
 * pages in a scratch folder. The numbers and the inbox are stand-ins: every number answers,
 * and a received fax is only counted.
 *
 * stdout: `{"sipPort":N}` once it listens, then `{"received":N}` for each fax filed.
 * Ends on SIGTERM.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inboundSipCalls } from '../src/carriers/sip/inbound-sip-calls.js'
import { SipTrunk } from '../src/carriers/sip/sip-trunk.js'
import type { E164 } from '../src/domain/fax-number.js'
import { systemClock } from '../src/shared/clock.js'
import { FsFileStore } from '../src/storage/files/fs-file-store.js'
import { loopbackTrunk } from './loopback-trunk.js'

const [firstMediaPort = 45000, lastMediaPort = 45999] = (process.env['FAR_MEDIA_PORTS'] ?? '')
  .split('-')
  .filter((part) => part !== '')
  .map(Number)

const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-far-end-'))
const trunk = await SipTrunk.start(
  // Nothing is sent to the "trunk" of the far end: it only answers.
  loopbackTrunk({
    trunkPort: 9,
    mediaPorts: { first: firstMediaPort, last: lastMediaPort },
    stationId: 'BENCH FAR END',
  }),
)
let received = 0
trunk.onIncomingCall(
  inboundSipCalls({
    trunk,
    numbers: { ownerOf: (_number: E164) => Promise.resolve({ uid: 'bench' }) },
    inbound: {
      receive: () => {
        received += 1
        process.stdout.write(`${JSON.stringify({ received })}\n`)
        return Promise.resolve()
      },
    },
    files: new FsFileStore(folder),
    clock: systemClock,
    log: (level, message, fields) => {
      if (level === 'error') {
        process.stderr.write(`${message} ${JSON.stringify(fields ?? {})}\n`)
      }
    },
  }),
)
process.stdout.write(`${JSON.stringify({ sipPort: trunk.local.port })}\n`)
process.once('SIGTERM', () => {
  void trunk.stop().then(() => process.exit(0))
})
