/**
 * The console's frame: sign-in until there is a session, then a header with the account, the
 * navigation (send, sent, received, outbox) and the view the URL's fragment names.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { SIGNED_OUT_EVENT } from './credentials.js'
import { hrefOf, type Route, useRoute } from './route.js'
import { resumeSession, type Session, signOut } from './session.js'
import { AccountView } from './views/account-view.js'
import { FaxList } from './views/fax-list.js'
import { NumbersView } from './views/numbers-view.js'
import { WebhooksView } from './views/webhooks-view.js'
import { FaxView } from './views/fax-view.js'
import { OutboxList } from './views/outbox-list.js'
import { SendForm } from './views/send-form.js'
import { SignIn } from './views/sign-in.js'

const TABS: readonly { readonly route: Route; readonly label: string }[] = [
  { route: { view: 'send' }, label: 'Send' },
  { route: { view: 'sent' }, label: 'Sent' },
  { route: { view: 'received' }, label: 'Received' },
  { route: { view: 'outbox' }, label: 'Outbox' },
  { route: { view: 'numbers' }, label: 'Numbers' },
  { route: { view: 'webhooks' }, label: 'Webhooks' },
]

const TITLES: Readonly<Record<Route['view'], string>> = {
  send: 'Send a fax',
  sent: 'Sent',
  received: 'Received',
  outbox: 'Outbox',
  numbers: 'Numbers',
  webhooks: 'Webhooks',
  account: 'Account',
  fax: 'Fax',
}

export function App() {
  const [session, setSession] = useState<Session | null | 'resuming'>('resuming')
  const [notice, setNotice] = useState<string | null>(null)
  const route = useRoute()

  useEffect(() => {
    resumeSession().then(setSession, (failure: unknown) => {
      setNotice(failure instanceof Error ? failure.message : 'Sign-in failed.')
      setSession(null)
    })
    const ended = () => {
      setNotice('Your sign-in has ended (it was revoked, or used elsewhere). Sign in again.')
      setSession(null)
    }
    window.addEventListener(SIGNED_OUT_EVENT, ended)
    return () => window.removeEventListener(SIGNED_OUT_EVENT, ended)
  }, [])

  // A new view is announced as a new page would be: its title, and focus on its content.
  const routeKey = route.view === 'fax' ? `fax/${route.id}` : route.view
  const first = useRef(true)
  useEffect(() => {
    document.title = `${TITLES[route.view]} · faxd`
    if (first.current) {
      first.current = false
      return
    }
    document.getElementById('content')?.focus()
  }, [routeKey])

  if (session === 'resuming') {
    return <main class="sign-in" aria-busy="true" />
  }
  if (session === null) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn) => {
          setNotice(null)
          setSession(signedIn)
        }}
      />
    )
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
        <a
          class="who"
          href="#/account"
          title={session.account.email}
          aria-current={route.view === 'account' ? 'page' : undefined}
        >
          {name || session.account.email}
        </a>
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
        ) : route.view === 'numbers' ? (
          <NumbersView api={session.api} />
        ) : route.view === 'webhooks' ? (
          <WebhooksView api={session.api} />
        ) : route.view === 'account' ? (
          <AccountView api={session.api} account={session.account} />
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
