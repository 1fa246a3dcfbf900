/**
 * The reserved test numbers of the simulated carrier (docs/test-numbers.md), each with the line
 * it reaches. They lie in 555-0100…555-0199, the range the North American Numbering Plan keeps
 * for fiction, so no real subscriber is ever dialled; only these seven exist, and the other
 * numbers of that range are not test numbers.
 */
import { asE164, type E164 } from '../domain/fax-number.js'

/** How the line behind a test number behaves. */
export type TestLine =
  /** Answers and takes every page. */
  | 'answers'
  /** Always busy. */
  | 'busy'
  /** Rings until the caller gives up. */
  | 'no_answer'
  /** The network says the number is not allocated. */
  | 'unallocated'
  /** Answers, takes the first page of the attempt, then the call drops. */
  | 'drops_after_first_page'
  /** Busy on the first attempt; answers and takes every page on the later ones. */
  | 'busy_then_answers'
  /** Answers on a poor line: the modems train down, and every page takes twice as long. */
  | 'slow'

export const TEST_NUMBERS: ReadonlyMap<E164, TestLine> = new Map(
  (
    [
      ['+15555550100', 'answers'],
      ['+15555550101', 'busy'],
      ['+15555550102', 'no_answer'],
      ['+15555550103', 'unallocated'],
      ['+15555550104', 'drops_after_first_page'],
      ['+15555550105', 'busy_then_answers'],
      ['+15555550106', 'slow'],
    ] as const
  ).map(([number, line]) => [asE164(number, 'test number'), line]),
)
