/**
 * How the client commands show work in progress. On a terminal, a block of lines (one per file
 * being uploaded, one per destination) redrawn in place as things move; elsewhere (a pipe, a
 * log file, CI) a plain line whenever a line's words change, so that a log reads as a history.
 * Details that change many times a second (the bytes of an upload) appear on a terminal only.
 */
import type { Writable } from 'node:stream'

export interface ProgressLine {
  /** What the line is about: a file name, a destination number. */
  readonly key: string
  readonly text: string
  /** Shown after the text on a terminal only, e.g. "35% of 3.4 MB". */
  readonly detail?: string
}

export interface ProgressDisplay {
  /** The lines as they now stand; a line whose key was not shown before is added below. */
  show(lines: readonly ProgressLine[]): void
  /** Leaves the block as it stands, so that what follows is printed below it. */
  close(): void
}

/** A terminal display when `stream` is a terminal, else plain lines. */
export function progressDisplay(
  stream: Writable & { isTTY?: boolean; columns?: number; rows?: number },
): ProgressDisplay {
  return stream.isTTY === true ? new TerminalDisplay(stream) : new PlainDisplay(stream)
}

/** ANSI (ECMA-48) control sequences: erase the line, move up n lines to their start. */
const ERASE_LINE = '\x1b[2K'
const up = (n: number) => `\x1b[${n}F`

class TerminalDisplay implements ProgressDisplay {
  private readonly lines = new Map<string, string>()
  private drawn = 0
  private readonly stream: Writable & { columns?: number; rows?: number }
  /** Plain lines instead, once the block is taller than the terminal: it could not be redrawn. */
  private plain: PlainDisplay | null = null

  constructor(stream: Writable & { columns?: number; rows?: number }) {
    this.stream = stream
  }

  show(lines: readonly ProgressLine[]): void {
    for (const line of lines) {
      const text = line.detail === undefined ? line.text : `${line.text} ${line.detail}`
      this.lines.set(line.key, `${line.key}: ${text}`)
    }
    const rows = this.stream.rows ?? 0
    if (this.plain === null && rows > 0 && this.lines.size >= rows) {
      this.plain = new PlainDisplay(this.stream)
    }
    if (this.plain !== null) {
      this.plain.show(lines)
      return
    }
    // A line longer than the terminal would wrap, and the block could not be found again to
    // redraw; a terminal that says no width (0: a pseudo-terminal nobody sized) counts as 80.
    // Widths are counted in code points: near enough for the numbers and names shown here.
    const columns = this.stream.columns ?? 0
    const width = Math.max(20, (columns > 0 ? columns : 80) - 1)
    const block = [...this.lines.values()].map((text) => {
      const points = [...text]
      return points.length > width ? `${points.slice(0, width - 1).join('')}…` : text
    })
    this.stream.write(
      (this.drawn > 0 ? up(this.drawn) : '') +
        block.map((text) => `${ERASE_LINE}${text}\n`).join(''),
    )
    this.drawn = block.length
  }

  close(): void {
    this.drawn = 0
    this.lines.clear()
    this.plain = null
  }
}

class PlainDisplay implements ProgressDisplay {
  private readonly said = new Map<string, string>()
  private readonly stream: Writable

  constructor(stream: Writable) {
    this.stream = stream
  }

  show(lines: readonly ProgressLine[]): void {
    for (const line of lines) {
      if (this.said.get(line.key) !== line.text) {
        this.said.set(line.key, line.text)
        this.stream.write(`${line.key}: ${line.text}\n`)
      }
    }
  }

  close(): void {
    this.said.clear()
  }
}

/** "3.4 MB", "512 KB", "900 B" (powers of 1000, as disks and networks count). */
export function formatSize(bytes: number): string {
  if (bytes >= 1_000_000) {
    return `${(bytes / 1_000_000).toFixed(1)} MB`
  }
  if (bytes >= 1000) {
    return `${Math.round(bytes / 1000)} KB`
  }
  return `${bytes} B`
}
