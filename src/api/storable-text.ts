/**
 * Text we cannot store as given, refused wherever it enters: U+0000 (PostgreSQL refuses it in
 * text columns) and unpaired surrogates (not Unicode; both engines would store U+FFFD instead).
 * Refused with 400 invalid_character, never altered.
 */
import { ApiError } from './api-error.js'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function isStorable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text)
}

export function unstorableText(): ApiError {
  return new ApiError(
    400,
    'invalid_character',
    'Text may not contain U+0000 or unpaired surrogates',
  )
}

/** Checks the keys and string values of a flat object (path parameters, a query, a form). */
export function requireStorableFields(values: unknown): void {
  if (!values || typeof values !== 'object') {
    return
  }
  for (const [key, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value]
    if (!isStorable(key) || texts.some((text) => typeof text === 'string' && !isStorable(text))) {
      throw unstorableText()
    }
  }
}

/** A JSON.parse reviver that refuses unstorable keys and strings anywhere in the document. */
export function refuseUnstorableJson(key: string, value: unknown): unknown {
  if (!isStorable(key) || (typeof value === 'string' && !isStorable(value))) {
    throw unstorableText()
  }
  return value
}
