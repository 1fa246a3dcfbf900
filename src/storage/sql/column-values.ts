/**
 * Encoding of the portable column kinds: booleans as 0/1 integers, JSON values as TEXT, and
 * closed string lists checked on the way out so a stray value in the database is caught early.
 */
export function toFlag(value: boolean): number {
  return value ? 1 : 0
}

export function fromFlag(value: number): boolean {
  return value !== 0
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(value)
}

export function parseJsonObject(text: string, column: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`column ${column} does not hold a JSON object`)
  }
  return value as Record<string, unknown>
}

export function parseStringList(text: string, column: string): string[] {
  return asStringList(JSON.parse(text), column)
}

/** A list of strings read from inside a parsed JSON value. */
export function asStringList(value: unknown, column: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`column ${column} does not hold a JSON list of strings`)
  }
  return value
}

export function oneOf<T extends string>(allowed: readonly T[], value: string, column: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`column ${column} holds the unknown value ${JSON.stringify(value)}`)
  }
  return value as T
}
