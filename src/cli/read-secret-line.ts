/**
 * A secret (a password, a token) from standard input: its first line, without the line end
 * (spaces are kept: they may be part of a password).
 * Never from the command line, where it would be in the shell's history and in every process
 * listing. On a terminal it is asked for and not echoed: the terminal is put in raw mode, where
 * Backspace (DEL or BS) takes back a character, Enter or Ctrl-D ends the line, and Ctrl-C
 * interrupts (SecretInterrupted); raw mode is left before the answer is given.
 */
import { UsageError } from './usage-error.js'

export class SecretInterrupted extends Error {
  override readonly name = 'SecretInterrupted'
}

const CTRL_C = 0x03
const CTRL_D = 0x04
const BACKSPACE = 0x08
const DELETE = 0x7f

export async function readSecretLine(prompt: string, missing: string): Promise<string> {
  const stdin = process.stdin
  const line = stdin.isTTY === true ? await fromTerminal(prompt) : await firstLine()
  if (line === '') {
    throw new UsageError(missing)
  }
  return line
}

function fromTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.resume()
  return new Promise((resolve, reject) => {
    const typed: number[] = []
    const finish = (error: Error | null): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      if (error === null) {
        resolve(Buffer.from(typed).toString('utf8'))
      } else {
        reject(error)
      }
    }
    const onData = (chunk: Buffer): void => {
      for (const byte of chunk) {
        if (byte === CTRL_C) {
          finish(new SecretInterrupted('interrupted'))
          return
        }
        if (byte === 0x0d || byte === 0x0a || byte === CTRL_D) {
          finish(null)
          return
        }
        if (byte === DELETE || byte === BACKSPACE) {
          // A UTF-8 character ends at a byte that is not a continuation byte (10xxxxxx).
          while (typed.length > 0 && ((typed.pop() ?? 0) & 0xc0) === 0x80) {
            // took back a continuation byte; go on to its lead byte
          }
          continue
        }
        typed.push(byte)
      }
    }
    stdin.on('data', onData)
  })
}

async function firstLine(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    if ((chunk as Buffer).includes(0x0a) || (chunk as Buffer).includes(0x0d)) {
      break
    }
  }
  const [line = ''] = Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n|\r/)
  return line
}
