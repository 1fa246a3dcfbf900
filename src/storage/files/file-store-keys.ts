/**
 * The keys every FileStore takes: relative paths of [A-Za-z0-9._-] segments joined by `/`, none
 * of them `.` or `..`, so that no key can leave the store's root folder or prefix.
 */
const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/

/** `key` when it is a valid key; otherwise throws, naming it. */
export function checkedKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`${JSON.stringify(key)} is not a valid file store key`)
  }
  return key
}
