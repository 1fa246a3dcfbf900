/**
 * Generators for fuzzing sendFax: schema-valid PayloadOutbox bodies, and mutated
 * requests made from them: wrong types at every path, odd numbers and unicode, huge and deeply
 * nested values, unknown and prototype keys, broken JSON bytes and wrong content types. Values
 * that JSON.stringify cannot write (1e309, -0, 50,000 levels of nesting) are spliced in as text.
 */

import type { SeededRandom } from '../support/seeded-random.js'

// ---- a JSON tree that can hold what JSON.stringify cannot write -------------------------------

/** JSON text written as is: numbers such as 1e309 or -0, nesting deeper than any stack. */
export class RawJson {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/** Objects are Maps so that keys such as `__proto__` stay plain keys. */
export type Json = null | boolean | number | string | RawJson | Json[] | JsonObject
export type JsonObject = Map<string, Json>

export function obj(entries: Record<string, Json>): JsonObject {
  return new Map(Object.entries(entries))
}

/** Writes the tree as JSON text. Strings go through JSON.stringify (lone surrogates escaped). */
export function toJsonText(value: Json): string {
  const out: string[] = []
  write(value, out)
  return out.join('')
}

function write(value: Json, out: string[]): void {
  if (value instanceof RawJson) {
    out.push(value.text)
  } else if (value instanceof Map) {
    out.push('{')
    let first = true
    for (const [key, item] of value) {
      out.push(first ? '' : ',', JSON.stringify(key), ':')
      write(item, out)
      first = false
    }
    out.push('}')
  } else if (Array.isArray(value)) {
    out.push('[')
    value.forEach((item, index) => {
      out.push(index === 0 ? '' : ',')
      write(item, out)
    })
    out.push(']')
  } else {
    out.push(JSON.stringify(value))
  }
}

// ---- schema-valid bodies ----------------------------------------------------------------------

export interface BodyContext {
  /** Numbers the sender may send from (tests with no sender numbers give any valid ones). */
  readonly fromNumbers: readonly string[]
  /** Upload paths to put in `files` (real ones, or paths that were never uploaded). */
  readonly files: readonly string[]
}

/** A destination matching `^[+][0-9]{8,}([*]{0,10}[0-9]+)?$`, unique within `taken`. */
export function destination(rng: SeededRandom, taken: Set<string>): string {
  for (;;) {
    let number = `+${rng.int(1, 9)}${digits(rng, rng.int(7, 14))}`
    if (rng.chance(0.1)) {
      number += `${'*'.repeat(rng.int(0, 10))}${digits(rng, rng.int(1, 6))}`
    }
    if (number.length <= 64 && !taken.has(number)) {
      taken.add(number)
      return number
    }
  }
}

export function destinations(rng: SeededRandom, count: number): string[] {
  const taken = new Set<string>()
  return Array.from({ length: count }, () => destination(rng, taken))
}

function digits(rng: SeededRandom, count: number): string {
  let text = ''
  for (let i = 0; i < count; i += 1) {
    text += String(rng.int(0, 9))
  }
  return text
}

const TAME_WORDS = ['Invoice', 'contract', 'page 2', 'Müller & Söhne', 'naïve café', 'A/B-7', 'ok']

/** Text that any store keeps as it is. */
export function tameText(rng: SeededRandom, maxWords = 6): string {
  return Array.from({ length: rng.int(0, maxWords) }, () => rng.pick(TAME_WORDS)).join(' ')
}

/** Strings that are valid JSON strings but unusual: every one of them is a legal value. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y\ud83d',
  '\ud83d\udce0 fax \ud83e\uddfe \ud83d\udc4d\ud83c\udffd \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
  '\u202egnp.exe\u202c',
  '\u200f\u0645\u0631\u062d\u0628\u0627\u200e',
  '\u05e9\u05dc\u05d5\u05dd',
  '\u4f20\u771f\u673a',
  '\uff0b\uff14\uff19\uff13\uff10\uff11\uff12\uff13\uff14\uff15\uff16',
  '+\u0664\u0669\u0663\u0660\u0661\u0662\u0663\u0664\u0665\u0666',
  'e\u0301\u0301\u0301\u0301\u0301',
  '\u200b\u200c\u200d\u2060',
  '\ufeff',
  '\ufffe\uffff',
  '\u2028\u2029',
  '\u0007\u0008\u001b[31m',
  '\r\n\t',
  "'; DROP TABLE outbox_entries; --",
  '%00%2e%2e%2f',
  '../../../etc/passwd',
  '__proto__',
  'constructor',
  '{{7*7}}',
  '${process.exit()}',
  '\\u0000',
  'NaN',
  'null',
]

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Odd strings that every store can hold (no NUL, no lone surrogate). */
export const STORABLE_ODD_STRINGS = ODD_STRINGS.filter(
  (text) => !text.includes('\u0000') && !LONE_SURROGATE.test(text),
)

/** Legal JSON strings that a store may not hold as they are (NUL, lone surrogates). */
export const HOSTILE_STRINGS = ODD_STRINGS.filter((text) => !STORABLE_ODD_STRINGS.includes(text))

export interface ValidBodyOptions {
  /** Only text that every store keeps unchanged (no NUL, no lone surrogate). */
  readonly tame?: boolean
  /** Largest destination count; 4000 is the documented limit. */
  readonly maxDestinations?: number
}

/** A body that the PayloadOutbox schema accepts, using the context's numbers and files. */
export function validBody(
  rng: SeededRandom,
  context: BodyContext,
  options: ValidBodyOptions = {},
): JsonObject {
  const text = (): string =>
    rng.chance(0.6) ? tameText(rng) : rng.pick(options.tame ? STORABLE_ODD_STRINGS : ODD_STRINGS)
  const maxDestinations = options.maxDestinations ?? 4000
  const body: JsonObject = new Map()
  body.set('from', fromField(rng, context.fromNumbers))
  const roll = rng.next()
  const count = roll < 0.8 ? rng.int(1, 5) : roll < 0.98 ? rng.int(6, 120) : maxDestinations
  body.set('to', destinations(rng, Math.min(count, maxDestinations)))
  body.set(
    'files',
    Array.from({ length: rng.int(1, 3) }, () => rng.pick(context.files)),
  )
  if (rng.chance(0.4)) {
    body.set(
      'comment',
      obj({
        ...(rng.chance(0.8) ? { text: text() } : {}),
        ...(rng.chance(0.5) ? { tags: Array.from({ length: rng.int(0, 5) }, text) } : {}),
      }),
    )
  }
  if (rng.chance(0.4)) {
    const options = new Map<string, Json>()
    if (rng.chance(0.5)) {
      options.set('enhancement', rng.chance(0.5))
    }
    if (rng.chance(0.5)) {
      options.set(
        'retry',
        obj({
          ...(rng.chance(0.8) ? { count: rng.int(0, 3) } : {}),
          ...(rng.chance(0.8) ? { delay: rng.int(0, 180) } : {}),
        }),
      )
    }
    if (rng.chance(0.3)) {
      options.set('partially_sent_retry', rng.chance(0.5))
    }
    body.set('options', options)
  }
  if (rng.chance(0.3)) {
    body.set('send_time', sendTime(rng))
  }
  if (rng.chance(0.4)) {
    body.set('return_ids', rng.chance(0.5))
  }
  if (rng.chance(0.3)) {
    body.set('resolution', rng.pick(['fine', 'superfine']))
  }
  if (rng.chance(0.25)) {
    const cover = obj({ name_to: text(), name_from: text(), subject: text() })
    if (rng.chance(0.5)) {
      cover.set(
        'flags',
        ['urgent', 'for_review', 'please_reply', 'confidential'].filter(() => rng.chance(0.5)),
      )
    }
    if (rng.chance(0.5)) {
      cover.set('message', text())
    }
    if (rng.chance(0.3)) {
      cover.set('include_company_logo', rng.chance(0.5))
    }
    body.set('cover_page', cover)
  }
  return shuffleKeys(rng, body)
}

function fromField(rng: SeededRandom, numbers: readonly string[]): string {
  if (numbers.length === 0) {
    return `+${rng.int(1, 9)}${digits(rng, rng.int(7, 12))}`
  }
  if (numbers.length > 1 && rng.chance(0.2)) {
    return numbers.filter(() => rng.chance(0.7)).join(',') || rng.pick(numbers)
  }
  const number = rng.pick(numbers)
  return rng.chance(0.1) ? `${number}*${digits(rng, rng.int(1, 4))}` : number
}

/** "YYYY-MM-DD HH:mm:ss +HHMM" for a real instant between 2020 and 2031. */
export function sendTime(rng: SeededRandom): string {
  const ms = Date.UTC(2020, 0, 1) + Math.floor(rng.next() * 11 * 365 * 86_400_000)
  const offsetMinutes = rng.int(-12 * 60, 14 * 60)
  const local = new Date(ms + offsetMinutes * 60_000)
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  )
}

function shuffleKeys(rng: SeededRandom, body: JsonObject): JsonObject {
  const entries = [...body]
  for (let i = entries.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i)
    ;[entries[i], entries[j]] = [entries[j] as [string, Json], entries[i] as [string, Json]]
  }
  return new Map(entries)
}

// ---- mutations of the tree ------------------------------------------------------------------

/** A place in the tree: the container and the key or index of the value there. */
type Slot = { parent: JsonObject; key: string } | { parent: Json[]; key: number }

function slotsOf(value: Json, slots: Slot[] = []): Slot[] {
  if (value instanceof Map) {
    for (const [key, item] of value) {
      slots.push({ parent: value, key })
      slotsOf(item, slots)
    }
  } else if (Array.isArray(value)) {
    // Long arrays: a few of their items are enough places to mutate.
    const step = Math.max(1, Math.floor(value.length / 8))
    for (let index = 0; index < value.length; index += step) {
      slots.push({ parent: value, key: index })
      slotsOf(value[index] as Json, slots)
    }
  }
  return slots
}

function read(slot: Slot): Json {
  return slot.parent instanceof Map
    ? (slot.parent.get(slot.key as string) ?? null)
    : (slot.parent[slot.key as number] ?? null)
}

function put(slot: Slot, value: Json): void {
  if (slot.parent instanceof Map) {
    slot.parent.set(slot.key as string, value)
  } else {
    slot.parent[slot.key as number] = value
  }
}

const SPECIAL_NUMBERS = [
  '1e309',
  '-1e309',
  '-0',
  '0.0',
  '-0.0',
  '1.5',
  '2.0000000000000001',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '-1',
  '4',
  '181',
  '1E2',
  '0.1e1',
  '3.0',
]

const UNKNOWN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  'To',
  'from ',
  'files\u0000',
  '\ud800',
  '\ud83d\udce0',
  '$where',
  'uid',
  'status',
  'id',
]

/** How big the costly mutations get (mostly under the 1 MiB body limit); they are rare. */
export const HUGE_STRING_MAX_BYTES = 900_000
const DEEP_MIN = 10_000
const DEEP_MAX = 40_000

export interface Mutation {
  readonly name: string
  /** Weight among the tree mutations. */
  readonly weight: number
  apply(rng: SeededRandom, body: JsonObject): void
}

function anySlot(rng: SeededRandom, body: JsonObject): Slot | null {
  const slots = slotsOf(body)
  return slots.length === 0 ? null : rng.pick(slots)
}

function anyObject(rng: SeededRandom, body: JsonObject): JsonObject {
  const objects = [
    body,
    ...slotsOf(body)
      .map(read)
      .filter((v): v is JsonObject => v instanceof Map),
  ]
  return rng.pick(objects)
}

/** A value of some JSON type, shallow. */
function anyValue(rng: SeededRandom): Json {
  return rng.pick<() => Json>([
    () => null,
    () => true,
    () => false,
    () => 0,
    () => rng.int(-5, 5000),
    () => 1.5,
    () => '',
    () => 'x',
    () => rng.pick(ODD_STRINGS),
    () => [],
    () => [null],
    () => [1, 'a', null],
    () => new Map(),
    () => obj({ a: 1 }),
    () => new RawJson(rng.pick(SPECIAL_NUMBERS)),
  ])()
}

function hugeString(rng: SeededRandom, bytes: number): string {
  const unit = rng.pick(['x', '9', ' ', '\u00e9', '\u4f20', '\ud83d\udce0', '\\', '"', '+1', ','])
  const unitBytes = Buffer.byteLength(unit)
  // JSON escaping doubles a backslash or a quote.
  const escaped = unit === '\\' || unit === '"' ? 2 : 1
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes / escaped)))
}

function deepNesting(rng: SeededRandom): RawJson {
  const depth = rng.int(DEEP_MIN, DEEP_MAX)
  switch (rng.int(0, 3)) {
    case 0:
      return new RawJson('['.repeat(depth) + ']'.repeat(depth))
    case 1:
      return new RawJson('{"a":'.repeat(depth) + 'null' + '}'.repeat(depth))
    case 2:
      return new RawJson('[{"to":'.repeat(depth) + '"+4930123456"' + '}]'.repeat(depth))
    default:
      // Unbalanced: deep and broken.
      return new RawJson('['.repeat(depth))
  }
}

function hugeArray(rng: SeededRandom): Json[] {
  const length = rng.int(4001, 6000)
  switch (rng.int(0, 4)) {
    case 0:
      return destinations(rng, length)
    case 1:
      return Array.from({ length }, () => '+4930123456')
    case 2:
      return Array.from({ length }, () => null)
    case 3:
      return Array.from({ length }, (_, i) => `/transient-${i}`)
    default:
      return Array.from({ length }, () => [])
  }
}

const WIDE_DIGITS = '\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19'
const ARABIC_DIGITS = '\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669'

function foreignDigits(rng: SeededRandom, text: string): string {
  const table = rng.pick([WIDE_DIGITS, ARABIC_DIGITS])
  const all = rng.chance(0.5)
  return text.replace(/[0-9]/g, (d) => (all || rng.chance(0.3) ? (table[Number(d)] ?? d) : d))
}

/** The mutations of a body's tree, each at a random place. */
export const TREE_MUTATIONS: readonly Mutation[] = [
  {
    name: 'wrong-type',
    weight: 30,
    apply(rng, body) {
      const slot = anySlot(rng, body)
      if (slot) {
        put(slot, anyValue(rng))
      }
    },
  },
  {
    name: 'null',
    weight: 8,
    apply(rng, body) {
      const slot = anySlot(rng, body)
      if (slot) {
        put(slot, null)
      }
    },
  },
  {
    name: 'special-number',
    weight: 8,
    apply(rng, body) {
      // Numbers belong in retry.count and retry.delay; put one there or anywhere.
      const retry = new Map<string, Json>([
        [rng.pick(['count', 'delay']), new RawJson(rng.pick(SPECIAL_NUMBERS))],
      ])
      if (rng.chance(0.6)) {
        body.set('options', obj({ retry }))
      } else {
        const slot = anySlot(rng, body)
        if (slot) {
          put(slot, new RawJson(rng.pick(SPECIAL_NUMBERS)))
        }
      }
    },
  },
  {
    name: 'odd-string',
    weight: 12,
    apply(rng, body) {
      const slot = anySlot(rng, body)
      if (!slot) {
        return
      }
      const current = read(slot)
      const odd = rng.pick(ODD_STRINGS)
      if (typeof current === 'string' && rng.chance(0.7)) {
        const at = rng.int(0, current.length)
        put(slot, current.slice(0, at) + odd + current.slice(at))
      } else {
        put(slot, odd)
      }
    },
  },
  {
    name: 'foreign-digits',
    weight: 5,
    apply(rng, body) {
      const to = body.get('to')
      if (Array.isArray(to) && to.length > 0 && rng.chance(0.5)) {
        const index = rng.int(0, to.length - 1)
        const item = to[index]
        to[index] = typeof item === 'string' ? foreignDigits(rng, item) : (item ?? null)
      } else {
        const from = body.get('from')
        body.set('from', typeof from === 'string' ? foreignDigits(rng, from) : (from ?? null))
      }
    },
  },
  {
    name: 'remove-key',
    weight: 8,
    apply(rng, body) {
      const target = anyObject(rng, body)
      const keys = [...target.keys()]
      if (keys.length > 0) {
        target.delete(rng.pick(keys))
      }
    },
  },
  {
    name: 'unknown-key',
    weight: 8,
    apply(rng, body) {
      anyObject(rng, body).set(rng.pick(UNKNOWN_KEYS), anyValue(rng))
    },
  },
  {
    name: 'prototype-key',
    weight: 4,
    apply(rng, body) {
      const target = rng.chance(0.5) ? body : anyObject(rng, body)
      const key = rng.pick(['__proto__', 'constructor', 'prototype'])
      target.set(
        key,
        rng.chance(0.5)
          ? obj({ isAdmin: true, polluted: 'yes' })
          : obj({ prototype: obj({ polluted: 'yes' }) }),
      )
    },
  },
  {
    name: 'huge-string',
    weight: 1.5,
    apply(rng, body) {
      // Now and then past the 1 MiB body limit, to see the 413.
      const bytes = rng.chance(0.15)
        ? rng.int(1_050_000, 1_200_000)
        : rng.int(50_000, HUGE_STRING_MAX_BYTES)
      const big = hugeString(rng, bytes)
      const where = rng.int(0, 4)
      if (where === 0) {
        body.set('from', rng.chance(0.5) ? big : `+${'1'.repeat(bytes)}`)
      } else if (where === 1) {
        body.set('to', [rng.chance(0.5) ? big : `+${'1'.repeat(Math.min(bytes, 900_000))}`])
      } else if (where === 2) {
        body.set('comment', obj({ text: big }))
      } else if (where === 3) {
        // OutboxOptions allows unknown keys: a huge value that the schema lets through.
        body.set('options', obj({ note: big }))
      } else {
        const slot = anySlot(rng, body)
        if (slot) {
          put(slot, big)
        }
      }
    },
  },
  {
    name: 'deep-nesting',
    weight: 1.5,
    apply(rng, body) {
      const deep = deepNesting(rng)
      const where = rng.int(0, 3)
      if (where === 0) {
        body.set('to', [deep])
      } else if (where === 1) {
        body.set('options', obj({ extra: deep }))
      } else if (where === 2) {
        body.set('from_fax', obj({ fax_id: 'x', nested: deep }))
      } else {
        const slot = anySlot(rng, body)
        if (slot) {
          put(slot, deep)
        }
      }
    },
  },
  {
    name: 'huge-array',
    weight: 1.5,
    apply(rng, body) {
      const key = rng.pick(['to', 'files', 'tags', 'flags'])
      if (key === 'tags') {
        body.set('comment', obj({ tags: hugeArray(rng) }))
      } else if (key === 'flags') {
        body.set(
          'cover_page',
          obj({
            name_to: 'a',
            name_from: 'b',
            subject: 'c',
            flags: Array.from({ length: 5000 }, () => 'urgent'),
          }),
        )
      } else {
        body.set(key, hugeArray(rng))
      }
    },
  },
]

/** Mutations that keep the shape the schema wants but break a rule that needs the store. */
export const RULE_MUTATIONS: readonly Mutation[] = [
  {
    name: 'duplicate-destination',
    weight: 4,
    apply(rng, body) {
      const to = body.get('to')
      if (Array.isArray(to) && to.length > 0) {
        to.splice(rng.int(0, to.length), 0, to[rng.int(0, to.length - 1)] ?? null)
      }
    },
  },
  {
    name: 'foreign-from',
    weight: 4,
    apply(rng, body) {
      body.set('from', `+${rng.int(1, 9)}${digits(rng, rng.int(8, 13))}`)
    },
  },
  {
    name: 'from-list-with-foreign',
    weight: 2,
    apply(rng, body) {
      const from = body.get('from')
      body.set('from', `${typeof from === 'string' ? from : '+4930123456'},+${digits(rng, 11)}`)
    },
  },
  {
    name: 'no-number',
    weight: 2,
    apply(rng, body) {
      body.set('from', rng.pick(['no_number', 'NO_NUMBER', 'no_number,+4930123456']))
    },
  },
  {
    name: 'unknown-file',
    weight: 4,
    apply(rng, body) {
      const files = Array.isArray(body.get('files')) ? (body.get('files') as Json[]) : []
      files.push(
        rng.pick([
          '/transient-00000000-0000-0000-0000-000000000000',
          '',
          '/',
          '\u0000',
          '../etc/passwd',
          `/transient-${digits(rng, 8)}`,
        ]),
      )
      body.set('files', files)
    },
  },
  {
    name: 'no-document',
    weight: 3,
    apply(rng, body) {
      if (rng.chance(0.5)) {
        body.delete('files')
      } else {
        body.set('files', [])
      }
    },
  },
  {
    name: 'from-fax',
    weight: 3,
    apply(rng, body) {
      if (rng.chance(0.5)) {
        body.delete('files')
      }
      body.set(
        'from_fax',
        obj({
          fax_id: rng.pick(['', 'x', '0'.repeat(32), '\u0000', 'constructor', '__proto__', '../1']),
          ...(rng.chance(0.5)
            ? { user_id: rng.pick(['self', 'other', '__proto__', '0'.repeat(32), '']) }
            : {}),
        }),
      )
    },
  },
  {
    name: 'too-many-destinations',
    weight: 1,
    apply(rng, body) {
      body.set('to', destinations(rng, 4001))
    },
  },
  {
    name: 'too-many-files',
    weight: 1,
    apply(rng, body) {
      body.set(
        'files',
        Array.from({ length: rng.int(11, 20) }, (_, i) => `/transient-${i}`),
      )
    },
  },
  {
    name: 'bad-send-time',
    weight: 3,
    apply(rng, body) {
      body.set(
        'send_time',
        rng.pick([
          '2026-02-30 10:00:00 +0000',
          '2026-13-01 10:00:00 +0000',
          '2026-01-01 24:00:00 +0000',
          '2026-01-01 10:60:00 +0000',
          '2026-01-01 10:00:60 +0000',
          '2026-01-01 10:00:00 +1500',
          '2026-01-01 10:00:00 +0060',
          '2026-01-01 10:00:00 |0000',
          '2026-01-01 10:00:00 +0000 trailing',
          '0000-01-01 00:00:00 +0000',
          '9999-12-31 23:59:59 -1200',
          '2026-01-01T10:00:00Z',
          '\uff12\uff10\uff12\uff16-01-01 10:00:00 +0000',
        ]),
      )
    },
  },
]

/**
 * A `from` that is a comma-separated list of long numbers followed by something that does not
 * match: the seed's pattern can split each number's digits between `[0-9]{8,}` and `[0-9]+` in
 * many ways, and a backtracking engine tries every combination. Bounded here to about
 * (16 − 7)^8 ≈ 43 million steps so that a vulnerable pattern costs seconds, not hours.
 */
export function backtrackingFrom(rng: SeededRandom): string {
  const numberLength = 16
  const count = 8
  const numbers = Array.from(
    { length: count },
    () => `+${rng.int(1, 9)}${digits(rng, numberLength - 1)}`,
  )
  return numbers.join(',') + rng.pick([',x', 'x', ',', ' ', '*', '**********', ',+1'])
}

export function applyWeighted(
  rng: SeededRandom,
  mutations: readonly Mutation[],
  body: JsonObject,
): string {
  const total = mutations.reduce((sum, m) => sum + m.weight, 0)
  let roll = rng.next() * total
  for (const mutation of mutations) {
    roll -= mutation.weight
    if (roll < 0) {
      mutation.apply(rng, body)
      return mutation.name
    }
  }
  const last = mutations[mutations.length - 1]
  last?.apply(rng, body)
  return last?.name ?? 'none'
}

// ---- requests ---------------------------------------------------------------------------------

export interface FuzzRequest {
  /** The generator family, for the report. */
  readonly family: keyof RequestMix
  /**
   * An untouched valid body with tame text: accepted when its files and numbers are real.
   * Every other request may be accepted or refused, but never answered 5xx.
   */
  readonly expectAccepted: boolean
  /** What was done, for a failure message. */
  readonly mutations: readonly string[]
  readonly payload: string | Buffer | undefined
  /** Content-Type and friends; never Authorization. */
  readonly headers: Record<string, string>
}

const JSON_TYPE = { 'content-type': 'application/json' }

const WRONG_CONTENT_TYPES: readonly (string | null)[] = [
  null,
  '',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'multipart/form-data',
  'application/xml',
  'application/octet-stream',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/jsonx',
  'json',
  '*/*',
  'application/*',
  'application',
  'application/json\u0000',
  'text/html; charset=utf-8',
]

/** Content types that still mean JSON. */
const JSON_CONTENT_TYPE_VARIANTS = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'Application/Json; Charset=UTF-8',
  'application/json ; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;',
]

/** Byte sequences that are not UTF-8. */
const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xc3],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
]

function insertBytes(text: string, at: number, bytes: readonly number[]): Buffer {
  const data = Buffer.from(text, 'utf8')
  const cut = Math.min(at, data.length)
  return Buffer.concat([data.subarray(0, cut), Buffer.from(bytes), data.subarray(cut)])
}

/** Breakages of the JSON text itself; most make it unreadable, some keep it readable. */
function breakText(rng: SeededRandom, text: string): { name: string; payload: string | Buffer } {
  const at = rng.int(0, text.length)
  switch (rng.int(0, 17)) {
    case 0:
      return { name: 'truncated', payload: text.slice(0, rng.int(0, Math.max(0, text.length - 1))) }
    case 1: {
      const closers = [...text.matchAll(/[}\]]/g)].map((m) => m.index)
      const close = closers.length > 0 ? rng.pick(closers) : text.length
      return { name: 'trailing-comma', payload: `${text.slice(0, close)},${text.slice(close)}` }
    }
    case 2:
      return { name: 'bad-utf8-anywhere', payload: insertBytes(text, at, rng.pick(BAD_UTF8)) }
    case 3: {
      // Inside a string: the JSON stays readable once decoded with replacement characters.
      const quote = text.indexOf('"', Math.floor(text.length / 2))
      const inside = quote < 0 ? at : quote + 1
      return { name: 'bad-utf8-in-string', payload: insertBytes(text, inside, rng.pick(BAD_UTF8)) }
    }
    case 4:
      return { name: 'bom-text', payload: `\ufeff${text}` }
    case 5:
      return {
        name: 'bom-bytes',
        payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      }
    case 6:
      return {
        name: 'utf16',
        payload: Buffer.concat([
          Buffer.from(rng.chance(0.5) ? [0xff, 0xfe] : []),
          Buffer.from(text, 'utf16le'),
        ]),
      }
    case 7:
      return { name: 'single-quotes', payload: text.replace(/"/g, "'") }
    case 8:
      return { name: 'unquoted-keys', payload: text.replace(/"([a-z_]+)":/g, '$1:') }
    case 9:
      return { name: 'comment', payload: `/* fax */${text}` }
    case 10:
      return {
        name: 'trailing-garbage',
        payload: text + rng.pick(['x', '}', '{}', ' null', '\u0000', ',']),
      }
    case 11:
      return {
        name: 'literal',
        payload: text.replace(
          /:\s*(\d+|true|false|null)/,
          ':' +
            rng.pick([
              'NaN',
              'Infinity',
              '-Infinity',
              'undefined',
              '01',
              '.5',
              '+1',
              '0x10',
              'True',
            ]),
        ),
      }
    case 12:
      return {
        name: 'raw-control-in-string',
        payload: text.replace(/"([^"]*)"/, `"$1${rng.pick(['\n', '\t', '\u0000', '\u001f'])}"`),
      }
    case 13:
      return {
        name: 'duplicate-key',
        payload: text.replace(
          /^\{/,
          `{"to":${rng.pick(['"x"', 'null', '[]', '["+4930123456"]'])},`,
        ),
      }
    case 14:
      return { name: 'nul-byte', payload: `${text.slice(0, at)}\u0000${text.slice(at)}` }
    case 15:
      return { name: 'whitespace-padding', payload: ' \t\r\n'.repeat(rng.int(1, 20_000)) + text }
    case 16:
      return {
        name: 'bad-escape',
        payload: text.replace(
          /"([^"]*)"/,
          `"$1${rng.pick(['\\x41', '\\u12', '\\uZZZZ', '\\', '\\U0001F4E0'])}"`,
        ),
      }
    default:
      return { name: 'doubled', payload: text + text }
  }
}

/** Bodies that are not an object, or nothing at all. */
const NOT_OBJECT_BODIES: readonly (string | undefined)[] = [
  undefined,
  '',
  ' ',
  '\r\n\t ',
  'null',
  'true',
  '0',
  '-0',
  '1e309',
  '"text"',
  '[]',
  '[{}]',
  '{}',
  '{"to":[]}',
  '{"from":"+4930123456"}',
  '{"to":["+4930123456"]}',
  '\ufeff',
  '\u0000',
  '{',
  '}',
  '[',
  '"',
  '{"":""}',
]

export interface RequestMix {
  /** Untouched valid bodies. */
  readonly valid: number
  readonly treeMutated: number
  readonly ruleMutated: number
  readonly brokenText: number
  readonly wrongContentType: number
  readonly notObject: number
  /** A valid body with a NUL or a lone surrogate in one text or lookup field. */
  readonly hostileText: number
  readonly backtracking: number
}

const NO_MIX: RequestMix = {
  valid: 0,
  treeMutated: 0,
  ruleMutated: 0,
  brokenText: 0,
  wrongContentType: 0,
  notObject: 0,
  hostileText: 0,
  backtracking: 0,
}

export const REFUSAL_MIX: RequestMix = {
  valid: 8,
  treeMutated: 55,
  ruleMutated: 12,
  brokenText: 14,
  wrongContentType: 6,
  notObject: 3,
  hostileText: 2,
  // Costly while the pattern is vulnerable: the fuzz test asks for a few at fixed places.
  backtracking: 0,
}

/**
 * One request, drawn from the mix, or from the given family. `validOptions` shape the valid
 * bodies it starts from.
 */
export function fuzzRequest(
  rng: SeededRandom,
  context: BodyContext,
  mix: RequestMix = REFUSAL_MIX,
  validOptions: ValidBodyOptions = {},
  family?: keyof RequestMix,
): FuzzRequest {
  const request = drawRequest(
    rng,
    context,
    family === undefined ? mix : { ...NO_MIX, [family]: 1 },
    validOptions,
  )
  return { ...request, expectAccepted: request.family === 'valid' }
}

function drawRequest(
  rng: SeededRandom,
  context: BodyContext,
  mix: RequestMix,
  validOptions: ValidBodyOptions,
): Omit<FuzzRequest, 'expectAccepted'> {
  const families = Object.entries(mix) as [keyof RequestMix, number][]
  const total = families.reduce((sum, [, weight]) => sum + weight, 0)
  let roll = rng.next() * total
  let family: keyof RequestMix = 'valid'
  for (const [name, weight] of families) {
    roll -= weight
    if (roll < 0) {
      family = name
      break
    }
  }
  const body = validBody(rng, context, {
    ...validOptions,
    tame: validOptions.tame || family === 'valid',
  })
  const mutations: string[] = []
  switch (family) {
    case 'valid':
      return { family, mutations, payload: toJsonText(body), headers: JSON_TYPE }
    case 'treeMutated': {
      const count = rng.chance(0.7) ? 1 : rng.int(2, 4)
      for (let i = 0; i < count; i += 1) {
        mutations.push(applyWeighted(rng, TREE_MUTATIONS, body))
      }
      // Content types that still mean JSON, now and then.
      const contentType = rng.chance(0.1)
        ? rng.pick(JSON_CONTENT_TYPE_VARIANTS)
        : 'application/json'
      return {
        family,
        mutations,
        payload: toJsonText(body),
        headers: { 'content-type': contentType },
      }
    }
    case 'ruleMutated':
      mutations.push(applyWeighted(rng, RULE_MUTATIONS, body))
      return { family, mutations, payload: toJsonText(body), headers: JSON_TYPE }
    case 'brokenText': {
      if (rng.chance(0.3)) {
        mutations.push(applyWeighted(rng, TREE_MUTATIONS, body))
      }
      const broken = breakText(rng, toJsonText(body))
      mutations.push(broken.name)
      return { family, mutations, payload: broken.payload, headers: JSON_TYPE }
    }
    case 'wrongContentType': {
      const contentType = rng.pick(WRONG_CONTENT_TYPES)
      mutations.push(`content-type ${JSON.stringify(contentType)}`)
      const payload = rng.chance(0.8)
        ? toJsonText(body)
        : rng.pick(['a=b&to=%2B4930123456', '<fax/>', ''])
      return {
        family,
        mutations,
        payload,
        headers: contentType === null ? {} : { 'content-type': contentType },
      }
    }
    case 'notObject': {
      const payload = rng.pick(NOT_OBJECT_BODIES)
      mutations.push(`body ${JSON.stringify(payload)}`)
      return { family, mutations, payload, headers: JSON_TYPE }
    }
    case 'hostileText': {
      const text = rng.pick(HOSTILE_STRINGS)
      const place = rng.pick(['comment.text', 'comment.tags', 'cover_page', 'files', 'from_fax'])
      if (place === 'comment.text') {
        body.set('comment', obj({ text }))
      } else if (place === 'comment.tags') {
        body.set('comment', obj({ tags: ['ok', text] }))
      } else if (place === 'cover_page') {
        body.set('cover_page', obj({ name_to: text, name_from: 'faxd', subject: `re: ${text}` }))
      } else if (place === 'files') {
        const files = body.get('files')
        body.set('files', [...(Array.isArray(files) ? files : []), text])
      } else {
        body.set('from_fax', obj({ fax_id: text }))
      }
      mutations.push(`hostile-text in ${place}`)
      return { family, mutations, payload: toJsonText(body), headers: JSON_TYPE }
    }
    case 'backtracking':
      body.set('from', backtrackingFrom(rng))
      mutations.push('backtracking-from')
      return { family, mutations, payload: toJsonText(body), headers: JSON_TYPE }
  }
}

/** The start of a payload, printable, for failure messages. */
export function preview(payload: string | Buffer | undefined, length = 160): string {
  if (payload === undefined) {
    return '(no body)'
  }
  const text = typeof payload === 'string' ? payload : payload.toString('utf8')
  const head = JSON.stringify(text.slice(0, length))
  return text.length > length ? `${head}… (${text.length} chars)` : head
}
