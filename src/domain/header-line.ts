/**
 * The header line: the line across the top of every page faxd transmits, as every fax machine
 * prints one: who sends, from which number, when, and "PAGE x/y". In the United States it is
 * the law: 47 U.S.C. 227(d)(1)(B) requires "in a margin at the top or bottom of each
 * transmitted page or on the first page of the transmission, the date and time it is sent and
 * an identification of the business, other entity, or individual sending the message and the
 * telephone number of the sending machine".
 *
 * An account sets it in its settings (`settings.header_line`: `enabled`, `template`,
 * `time_zone`); sendFax keeps the account's choice with the outbox entry, so that every attempt
 * of the fax carries the same header but for its own time. The page number is not part of the
 * template: it is drawn at the line's right end on every page.
 */

/** The template's fields, written `{date}`, `{time}`… */
export const HEADER_FIELDS = ['date', 'time', 'zone', 'name', 'from', 'to'] as const
export type HeaderField = (typeof HEADER_FIELDS)[number]

export const DEFAULT_HEADER_TEMPLATE = '{date} {time} {zone}  FROM: {name} {from}  TO: {to}'
export const MAX_HEADER_TEMPLATE_LENGTH = 100
/** The longest line drawn (the text, the page number aside): what fits 1728 pels in the font. */
export const MAX_HEADER_TEXT_LENGTH = 100

/** What an outbox entry keeps of its account's choice; null on the entry: no header. */
export interface HeaderLine {
  readonly template: string
  /** An IANA time zone (`America/New_York`), the date and time are written in. */
  readonly timeZone: string
  /** The sender's name: the account's `caller_id_name`, else its name; '' when none. */
  readonly name: string
}

/** The account's `settings.header_line` as given to updateUser, once its JSON shape is checked. */
export interface HeaderLineSettings {
  readonly enabled?: boolean
  readonly template?: string
  readonly time_zone?: string
}

/** Why `settings` cannot be the account's header line, or null when it can. */
export function headerLineSettingsProblem(settings: HeaderLineSettings): string | null {
  if (settings.template !== undefined) {
    const template = settings.template
    if (template.length > MAX_HEADER_TEMPLATE_LENGTH || /\p{Cc}/u.test(template)) {
      return `header_line.template must be at most ${MAX_HEADER_TEMPLATE_LENGTH} characters on one line`
    }
    for (const [, name] of template.matchAll(/\{([^{}]*)\}/g)) {
      if (!(HEADER_FIELDS as readonly string[]).includes(name ?? '')) {
        return `header_line.template has an unknown field {${name}}: the fields are ${HEADER_FIELDS.map((f) => `{${f}}`).join(', ')}`
      }
    }
  }
  if (settings.time_zone !== undefined && !isTimeZone(settings.time_zone)) {
    return `header_line.time_zone must be an IANA time zone such as America/New_York, not ${JSON.stringify(settings.time_zone)}`
  }
  return null
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/**
 * The header line an account's settings ask for (the defaults where they say nothing), or null
 * when they turn it off. Values that could not be used (set before they were checked) fall back
 * to the defaults.
 */
export function headerLineOf(
  settings: Readonly<Record<string, unknown>>,
  accountName: string,
): HeaderLine | null {
  const raw = settings['header_line']
  const stored = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  if (stored['enabled'] === false) {
    return null
  }
  const { template, time_zone: timeZone } = stored
  const given: HeaderLineSettings = {
    ...(typeof template === 'string' ? { template } : {}),
    ...(typeof timeZone === 'string' ? { time_zone: timeZone } : {}),
  }
  const usable = headerLineSettingsProblem(given) === null
  const callerName = settings['caller_id_name']
  return {
    template:
      usable && typeof given.template === 'string' ? given.template : DEFAULT_HEADER_TEMPLATE,
    timeZone: usable && typeof given.time_zone === 'string' ? given.time_zone : 'UTC',
    name: (typeof callerName === 'string' && callerName.trim() !== ''
      ? callerName
      : accountName
    ).trim(),
  }
}

/**
 * The header's text for one attempt: the template with its fields filled, at most
 * MAX_HEADER_TEXT_LENGTH characters.
 */
export function headerText(
  line: HeaderLine,
  facts: { readonly atMs: number; readonly from: string | null; readonly to: string },
): string {
  const parts = dateFormatIn(line.timeZone).formatToParts(new Date(facts.atMs))
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? ''
  const values: Record<HeaderField, string> = {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
    zone: part('timeZoneName'),
    name: line.name,
    from: facts.from ?? '',
    to: facts.to,
  }
  // An empty field goes with the space before it: "FROM: {name} {from}" without a name is
  // "FROM: +15555550150", not "FROM:  +15555550150".
  const filled = line.template.replace(/\{([a-z]+)\}/g, (whole, name: string) => {
    const value = values[name as HeaderField]
    return value === undefined ? whole : value === '' ? EMPTY : value
  })
  return filled
    .replace(new RegExp(` ?${EMPTY}`, 'g'), '')
    .trim()
    .slice(0, MAX_HEADER_TEXT_LENGTH)
}

/**
 * The header's date and time format in `timeZone`, made once per zone: making one takes about
 * 0.2 ms (ICU loads the zone's rules), as long as all the rest of a header, and a worker writes
 * a header for every call it makes. Zones are few; past MAX_DATE_FORMATS the first made goes.
 */
function dateFormatIn(timeZone: string): Intl.DateTimeFormat {
  let format = DATE_FORMATS.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
    if (DATE_FORMATS.size >= MAX_DATE_FORMATS) {
      DATE_FORMATS.delete(DATE_FORMATS.keys().next().value as string)
    }
    DATE_FORMATS.set(timeZone, format)
  }
  return format
}

const MAX_DATE_FORMATS = 64
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>()

/** Stands for an empty field until it is taken out with its space (no template holds it). */
const EMPTY = '\u0000'

/** What is drawn at the line's right end on page `page` of `pages`. */
export function pageNumberText(page: number, pages: number): string {
  return `PAGE ${page}/${pages}`
}
