/**
 * Where the console is, from the URL's fragment: #/send, #/sent, #/received, #/outbox,
 * #/numbers, #/webhooks, #/account, #/fax/ID. The
 * fragment keeps every view linkable and the back button working, with no server routes.
 */
import { useEffect, useState } from 'preact/hooks'

export type Route =
  | {
      readonly view: 'send' | 'sent' | 'received' | 'outbox' | 'numbers' | 'webhooks' | 'account'
    }
  | { readonly view: 'fax'; readonly id: string }

export function parseRoute(hash: string): Route {
  const [, view = '', id = ''] = hash.replace(/^#/, '').split('/')
  if (view === 'fax' && /^[0-9a-f]{1,64}$/.test(id)) {
    return { view: 'fax', id }
  }
  const views = ['send', 'received', 'outbox', 'numbers', 'webhooks', 'account'] as const
  const named = views.find((v) => v === view)
  return named === undefined ? { view: 'sent' } : { view: named }
}

export function hrefOf(route: Route): string {
  return route.view === 'fax' ? `#/fax/${route.id}` : `#/${route.view}`
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    // A fragment that names no view (#content, the skip link's) keeps the view as it is.
    const onChange = (): void => {
      if (window.location.hash.startsWith('#/') || window.location.hash === '') {
        setRoute(parseRoute(window.location.hash))
      }
    }
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
