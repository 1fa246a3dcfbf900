/** Reading a command's options (node:util parseArgs), with every mistake a UsageError. */
import { parseArgs } from 'node:util'
import { UsageError } from './usage-error.js'

export type OptionKinds = Record<string, 'string' | 'multiple' | 'flag'>

export function parse(
  args: string[],
  kinds: OptionKinds,
  allowPositionals = false,
  short: Readonly<Record<string, string>> = {},
) {
  const options = Object.fromEntries(
    Object.entries(kinds).map(([name, kind]) => [
      name,
      {
        ...(kind === 'flag'
          ? { type: 'boolean' as const }
          : { type: 'string' as const, multiple: kind === 'multiple' }),
        ...(short[name] === undefined ? {} : { short: short[name] }),
      },
    ]),
  )
  try {
    return parseArgs({ args, options, allowPositionals, strict: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

export function multipleValues(values: Record<string, unknown>, name: string): string[] {
  const given = values[name]
  return Array.isArray(given) ? given.filter((v): v is string => typeof v === 'string') : []
}

export function optionalValue(values: Record<string, unknown>, name: string): string | null {
  const value = values[name]
  return typeof value === 'string' ? value : null
}

export function requireValue(values: Record<string, unknown>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`--${name} is required`)
  }
  return value
}

/** A whole number of at least `min` and at most `max`, from an option's text. */
export function integerValue(
  values: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | null {
  const text = optionalValue(values, name)
  if (text === null) {
    return null
  }
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`,
    )
  }
  return Number(text)
}
