// A node:test reporter that prints nothing while the suite runs and, at its end, every test that
// failed: its file, the names of the suites it is in, and the first lines of its error. `npm test`
// runs it beside the TAP reporter, so that the last lines of a long log (all that a CI page may
// keep) still say which test failed and why, not only "# fail 1".

const ERROR_LINES = 12

/** `error` as text: the cause of a test's failure, which node:test wraps in its own error. */
function describe(error) {
  const cause = error?.cause ?? error
  const text = cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause)
  return text
    .split('\n')
    .filter((line) => !/\(?node:(internal|async_hooks)/.test(line))
    .slice(0, ERROR_LINES)
}

export default async function* failureSummary(source) {
  const failures = []
  /** The names of the tests that have started and not ended, by file and depth. */
  const open = new Map()
  for await (const event of source) {
    if (event.type === 'test:start') {
      const names = open.get(event.data.file) ?? []
      names.length = event.data.nesting
      names.push(event.data.name)
      open.set(event.data.file, names)
    } else if (event.type === 'test:fail') {
      const path = (open.get(event.data.file) ?? []).slice(0, event.data.nesting)
      const error = event.data.details?.error
      // A suite fails because a test in it did; only the tests themselves are worth a line,
      // unless the suite failed on its own (a hook, or a file that did not load).
      if (error?.failureType === 'subtestsFailed') {
        continue
      }
      failures.push({ file: event.data.file, path: [...path, event.data.name], error })
    }
  }
  if (failures.length === 0) {
    return
  }
  let text = `\n# ${failures.length} failed:\n`
  for (const failure of failures) {
    text += `#\n# ${failure.file ?? '(no file)'}\n#   ${failure.path.join(' › ')}\n`
    for (const line of describe(failure.error)) {
      text += `#     ${line}\n`
    }
  }
  yield text
}
