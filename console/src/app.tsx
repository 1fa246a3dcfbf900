/**
 * The console's frame: sign-in until there is a session, then a header with the account, the
 * navigation (send, sent, received, outbox) and the view the URL's fragment names.
 */
import { useEffect, useState } from 'preact/hooks'
import { hrefOf, type Route, useRoute } from './route.js'
import { resumeSession, type Session, signOut } from './session.js'
import { FaxList } from './views/fax-list.js'
import { FaxView } from './views/fax-view.js'
import { OutboxList } from './views/outbox-list.js'
import { SendForm } from './views/send-form.js'
import { SignIn } from './views/sign-in.js'

const TABS: readonly { readonly route: Route; readonly label: string }[] = [
  { route: { view: 'send' }, label: 'Send' },
  { route: { view: 'sent' }, label: 'Sent' },
  { route: { view: 'received' }, label: 'Received' },
  { route: { view: 'outbox' }, label: 'Outbox' },
]

export function App() {
  const [session, setSession] = useState<Session | null | 'resuming'>('resuming')
  const route = useRoute()

  useEffect(() => {
    void resumeSession().then(setSession)
  }, [])

  if (session === 'resuming') {
    return <main class="sign-in" aria-busy="true" />
  }
  if (session === null) {
    return <SignIn onSignedIn={setSession} />
  }
  const name = [session.account.name, session.account.lastname].filter(Boolean).join(' ')
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">faxd</span>
        <nav aria-label="Faxes">
          <ul>
            {TABS.map((tab) => (
              <li key={tab.label}>
                <a
                  href={hrefOf(tab.route)}
                  aria-current={route.view === tab.route.view ? 'page' : undefined}
                >
                  {tab.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" title={session.account.email}>
          {name || session.account.email}
        </span>
        <button
          type="button"
          class="quiet"
          onClick={() => {
            signOut()
            setSession(null)
          }}
        >
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {route.view === 'send' ? (
          <SendForm api={session.api} />
        ) : route.view === 'fax' ? (
          <FaxView api={session.api} id={route.id} />
        ) : route.view === 'outbox' ? (
          <OutboxList api={session.api} />
        ) : (
          <FaxList
            api={session.api}
            category={route.view === 'received' ? 'inbox' : 'sent'}
            key={route.view}
          />
        )}
      </main>
    </>
  )
}
