/** A webhook subscription: POST the event's payload to `target` (docs/webhooks.md). */
export const WEBHOOK_EVENTS = ['fax_received', 'fax_sent'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export interface Webhook {
  readonly id: string
  readonly uid: string
  readonly target: string
  readonly event: WebhookEvent
  readonly createdAtMs: number
}

/**
 * True when a target URL holds a user name or password (`https://user:pass@host/`, or just
 * `user@`). Such targets are refused when a hook is registered and before every delivery, and
 * never sent as Basic credentials: a password in a URL ends up in logs, in the hook list and in
 * every payload's `hook.target`, and the receiver checks X-Faxd-Signature instead.
 */
export function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== ''
}

/**
 * Whether faxd may call a webhook target, asked when a webhook is registered (the same check
 * runs again before every delivery, since the addresses of a name change).
 */
export interface WebhookTargetPolicy {
  /** Why faxd would refuse to call `target` now, or null when it would call it. */
  refusal(target: string): Promise<string | null>
}
