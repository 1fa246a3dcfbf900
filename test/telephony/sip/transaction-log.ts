/**
 * What the transaction tests share: a stand-in for the UA's messages (the fields a transaction
 * reads, plus a name to follow them by), and a log of a transaction's outputs over time.
 */
import type { Transaction, TransactionOutput } from '../../../src/telephony/sip/transactions.js'

export type Message =
  | { kind: 'request'; method: string; name: string }
  | { kind: 'response'; status: number; name: string }

export const request = (method: string, name = method): Message => ({
  kind: 'request',
  method,
  name,
})

export const response = (status: number, name = String(status)): Message => ({
  kind: 'response',
  status,
  name,
})

/** What an output says, in one short string: "send INVITE", "to-tu 180", "timeout B"… */
export function summary(output: TransactionOutput<Message>): string {
  switch (output.type) {
    case 'send':
    case 'to-tu':
      return `${output.type} ${output.message.name}`
    case 'timeout':
      return `timeout ${output.timer}`
    default:
      return output.type
  }
}

/** Runs the transaction timer by timer up to `untilMs`, stamping each output with its time. */
export function runUntil(tx: Transaction<Message, string>, untilMs: number): string[] {
  const log = tx.takeOutputs().map((o) => `${tx.now} ${summary(o)}`)
  for (;;) {
    const next = tx.nextTimerInMs
    if (next === null || tx.now + next > untilMs) {
      tx.advance(untilMs - tx.now)
      log.push(...tx.takeOutputs().map((o) => `${tx.now} ${summary(o)}`))
      return log
    }
    tx.advance(next)
    log.push(...tx.takeOutputs().map((o) => `${tx.now} ${summary(o)}`))
  }
}

/** The outputs so far, summarised. */
export const taken = (tx: Transaction<Message, string>): string[] => tx.takeOutputs().map(summary)
