/**
 * Sending a fax: documents (dropped or chosen; each uploaded at once, with its progress, so a
 * file faxd cannot send is said before anything else), destinations, the number to send from,
 * a cover page, a time, retries and resolution. The API's validation errors are shown next to
 * the field they name; on success the outbox shows the new entry.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { type Api, ApiError } from '../api.js'
import { DraftPages } from './draft-pages.js'

interface Upload {
  readonly key: number
  readonly name: string
  readonly size: number
  readonly share: number
  readonly path: string | null
  readonly error: string | null
}

interface NumberRecord {
  readonly number: string
  readonly status: string
  readonly is_canceled: boolean
}

type Field = 'files' | 'to' | 'from' | 'cover' | 'schedule' | 'retry' | 'form'

/** Which field of the form a validation error is about, from the body field it names. */
export function fieldOf(error: ApiError): Field {
  const named = error.field ?? ''
  if (named === 'to' || named.startsWith('to.') || error.code.includes('destination')) {
    return 'to'
  }
  if (named.startsWith('from') || error.code.includes('from')) {
    return 'from'
  }
  if (named.startsWith('cover_page')) {
    return 'cover'
  }
  if (named === 'send_time' || error.code.includes('send_time')) {
    return 'schedule'
  }
  if (named.startsWith('options.retry')) {
    return 'retry'
  }
  if (named.startsWith('files') || error.code.includes('file')) {
    return 'files'
  }
  return 'form'
}

const KB = 1000

function size(bytes: number): string {
  return bytes >= KB * KB ? `${(bytes / KB / KB).toFixed(1)} MB` : `${Math.ceil(bytes / KB)} KB`
}

/** A local date and time from <input type="datetime-local"> as sendFax's send_time (UTC). */
function sendTimeOf(local: string): string {
  const iso = new Date(local).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`
}

export function SendForm({ api }: { api: Api }) {
  const [uploads, setUploads] = useState<Upload[]>([])
  const [numbers, setNumbers] = useState<string[] | null>(null)
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [cover, setCover] = useState(false)
  const [subject, setSubject] = useState('')
  const [nameTo, setNameTo] = useState('')
  const [nameFrom, setNameFrom] = useState('')
  const [message, setMessage] = useState('')
  const [when, setWhen] = useState('')
  const [retries, setRetries] = useState('0')
  const [retryDelay, setRetryDelay] = useState('60')
  const [resolution, setResolution] = useState<'fine' | 'superfine'>('fine')
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({})
  const [busy, setBusy] = useState(false)
  const [dragging, setDragging] = useState(false)

  useEffect(() => {
    void api
      .json<{ numbers: NumberRecord[] }>('/accounts/self/numbers')
      .then(({ numbers: all }) => {
        const usable = all
          .filter((n) => n.status === 'active' && !n.is_canceled)
          .map((n) => n.number)
        setNumbers(usable)
        setFrom((current) => current || (usable[0] ?? ''))
      })
      .catch(() => setNumbers([]))
  }, [api])

  // Uploads still running, by key: Remove stops one, leaving the view stops them all.
  const running = useRef(new Map<number, AbortController>())
  useEffect(() => {
    const inFlight = running.current
    return () => inFlight.forEach((controller) => controller.abort())
  }, [])

  const add = (files: FileList | null): void => {
    for (const file of Array.from(files ?? [])) {
      const key = Math.random()
      const controller = new AbortController()
      running.current.set(key, controller)
      const update = (change: Partial<Upload>): void =>
        setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)))
      setUploads((all) => [
        ...all,
        { key, name: file.name, size: file.size, share: 0, path: null, error: null },
      ])
      api
        .upload(file, (share) => update({ share }), controller.signal)
        .then((path) => update({ path, share: 1 }))
        .catch((failure: unknown) =>
          update({ error: failure instanceof Error ? failure.message : String(failure) }),
        )
        .finally(() => running.current.delete(key))
    }
  }

  const remove = (key: number): void => {
    running.current.get(key)?.abort()
    setUploads((all) => all.filter((x) => x.key !== key))
  }

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    const found: Partial<Record<Field, string>> = {}
    const ready = uploads.filter((u) => u.path !== null)
    if (uploads.length === 0) {
      found.files = 'Add a document to send.'
    } else if (uploads.some((u) => u.error !== null)) {
      found.files = 'Remove the file that could not be uploaded, or add it again.'
    } else if (ready.length !== uploads.length) {
      found.files = 'Wait for the uploads to finish.'
    }
    if (when !== '' && Number.isNaN(new Date(when).getTime())) {
      found.schedule = 'Give a whole date and time, or leave it empty to send now.'
    }
    const destinations = to
      .split(/[\s,;]+/)
      .map((n) => n.trim())
      .filter((n) => n !== '')
    if (destinations.length === 0) {
      found.to = 'Give at least one number, with + and the country code.'
    }
    if (cover && subject.trim() === '') {
      found.cover = 'A cover page needs a subject.'
    }
    setErrors(found)
    if (Object.keys(found).length > 0) {
      return
    }
    setBusy(true)
    try {
      await api.json('/accounts/self/outbox', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          from,
          to: destinations,
          files: ready.map((u) => u.path),
          resolution,
          return_ids: true,
          options: {
            retry:
              retries === '0'
                ? { count: 0 }
                : { count: Number(retries), delay: Number(retryDelay) },
          },
          ...(when === '' ? {} : { send_time: sendTimeOf(when) }),
          ...(cover
            ? {
                cover_page: {
                  subject,
                  name_to: nameTo,
                  name_from: nameFrom,
                  ...(message === '' ? {} : { message }),
                },
              }
            : {}),
        }),
      })
      window.location.hash = '#/outbox'
    } catch (failure) {
      setErrors(
        failure instanceof ApiError
          ? { [fieldOf(failure)]: failure.message }
          : { form: 'The server cannot be reached.' },
      )
      setBusy(false)
    }
  }

  const describedBy = (field: Field, hint?: string) =>
    [errors[field] === undefined ? null : `${field}-error`, hint ?? null]
      .filter((id) => id !== null)
      .join(' ') || undefined
  const problem = (field: Field) =>
    errors[field] === undefined ? null : (
      <p id={`${field}-error`} class="error" role="alert">
        {errors[field]}
      </p>
    )

  return (
    <section aria-labelledby="send-title">
      <h1 id="send-title">Send a fax</h1>
      <form class="send" onSubmit={(event) => void submit(event)} noValidate>
        <fieldset
          class={`drop ${dragging ? 'dragging' : ''}`}
          onDragOver={(event) => {
            event.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault()
            setDragging(false)
            add(event.dataTransfer?.files ?? null)
          }}
        >
          <legend>Documents</legend>
          <label for="files">
            Drop PDF, Word, Excel, OpenDocument, text or picture files here, or choose them:
          </label>
          <input
            id="files"
            type="file"
            multiple
            aria-describedby={describedBy('files')}
            onChange={(event) => {
              add(event.currentTarget.files)
              event.currentTarget.value = ''
            }}
          />
          {uploads.length > 0 && (
            <ul class="uploads">
              {uploads.map((u) => (
                <li key={u.key}>
                  <span class="name">{u.name}</span> <span class="hint">{size(u.size)}</span>{' '}
                  {u.path === null && u.error === null && (
                    <progress max={1} value={u.share} aria-label={`Uploading ${u.name}`} />
                  )}
                  {/* Said when it changes: a screen reader hears the upload end, not each step. */}
                  <span role="status" class={u.error !== null ? 'error' : 'hint'}>
                    {u.error !== null ? u.error : u.path !== null ? 'ready' : ''}
                  </span>{' '}
                  <button
                    type="button"
                    class="quiet"
                    aria-label={`Remove ${u.name}`}
                    onClick={() => remove(u.key)}
                  >
                    Remove
                  </button>
                  {u.error === null && (
                    <div class="draft-slot">
                      {u.path !== null && (
                        <DraftPages api={api} path={u.path} resolution={resolution} />
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
          {problem('files')}
        </fieldset>

        <label for="to">To</label>
        <textarea
          id="to"
          rows={2}
          value={to}
          placeholder="+15555550100, +442071234567"
          aria-invalid={errors.to === undefined ? undefined : 'true'}
          aria-describedby={describedBy('to', 'to-hint')}
          onInput={(event) => setTo(event.currentTarget.value)}
        />
        <p id="to-hint" class="hint">
          One or more numbers with + and the country code, separated by commas or lines.
        </p>
        {problem('to')}

        <label for="from">From</label>
        <select
          id="from"
          value={from}
          aria-invalid={errors.from === undefined ? undefined : 'true'}
          aria-describedby={describedBy('from')}
          onChange={(event) => setFrom(event.currentTarget.value)}
        >
          {(numbers ?? []).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        {numbers !== null && numbers.length === 0 && (
          <p class="error">This account has no number to send from.</p>
        )}
        {problem('from')}

        <fieldset>
          <legend>Cover page</legend>
          <label class="inline">
            <input
              type="checkbox"
              checked={cover}
              onChange={(event) => setCover(event.currentTarget.checked)}
            />{' '}
            Add a cover page
          </label>
          {cover && (
            <div class="cover">
              <label for="subject">Subject</label>
              <input
                id="subject"
                value={subject}
                aria-describedby={describedBy('cover')}
                aria-invalid={errors.cover === undefined ? undefined : 'true'}
                onInput={(event) => setSubject(event.currentTarget.value)}
              />
              <label for="name-to">To (name)</label>
              <input
                id="name-to"
                value={nameTo}
                onInput={(event) => setNameTo(event.currentTarget.value)}
              />
              <label for="name-from">From (name)</label>
              <input
                id="name-from"
                value={nameFrom}
                onInput={(event) => setNameFrom(event.currentTarget.value)}
              />
              <label for="message">Message</label>
              <textarea
                id="message"
                rows={3}
                value={message}
                onInput={(event) => setMessage(event.currentTarget.value)}
              />
            </div>
          )}
          {problem('cover')}
        </fieldset>

        <fieldset>
          <legend>Options</legend>
          <label for="when">Send at (your time; empty: now)</label>
          <input
            id="when"
            type="datetime-local"
            value={when}
            aria-describedby={describedBy('schedule')}
            onInput={(event) => setWhen(event.currentTarget.value)}
          />
          {problem('schedule')}
          <label for="retries">Retries when the line is busy or no one answers</label>
          <select
            id="retries"
            value={retries}
            aria-describedby={describedBy('retry')}
            onChange={(event) => setRetries(event.currentTarget.value)}
          >
            {['0', '1', '2', '3'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {retries !== '0' && (
            <>
              <label for="retry-delay">Seconds between attempts (0–180)</label>
              <input
                id="retry-delay"
                type="number"
                min={0}
                max={180}
                value={retryDelay}
                aria-describedby={describedBy('retry')}
                aria-invalid={errors.retry === undefined ? undefined : 'true'}
                onInput={(event) => setRetryDelay(event.currentTarget.value)}
              />
            </>
          )}
          {problem('retry')}
          <span id="resolution-label">Resolution</span>
          <div role="radiogroup" aria-labelledby="resolution-label" class="choices">
            {(['fine', 'superfine'] as const).map((option) => (
              <label class="inline" key={option}>
                <input
                  type="radio"
                  name="resolution"
                  value={option}
                  checked={resolution === option}
                  onChange={() => setResolution(option)}
                />{' '}
                {option === 'fine' ? 'Fine (204 × 196 dpi)' : 'Superfine (204 × 391 dpi)'}
              </label>
            ))}
          </div>
        </fieldset>

        {problem('form')}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </form>
    </section>
  )
}
