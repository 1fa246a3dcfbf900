/**
 * The web console's OAuth2 client: a public client (it runs in the browser and keeps no secret)
 * that `faxd serve` registers for itself, with the console's own address as its only redirect
 * URI. Its id is fixed, so that the console, built ahead of time, can name it.
 */
export const CONSOLE_CLIENT_ID = 'faxd-console'

/** Shown on the sign-in page. */
export const CONSOLE_CLIENT_NAME = 'faxd web console'
