/**
 * What `faxd --help`, `faxd help [COMMAND…]` and `faxd COMMAND… --help` print: the usage of every
 * command, or of the commands a name starts (`faxd help accounts`), each with what it does and
 * an example. Printed on standard output, exit status 0; a name that is no command is a usage
 * error.
 */
import { UsageError } from './usage-error.js'

interface CommandHelp {
  readonly usage: string
  readonly does: string
  readonly example: string
}

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  'accounts create': {
    usage:
      'faxd accounts create --email E [--type individual|corporate_admin] [--admin UID]\n' +
      '              [--password P | --password-stdin]',
    does:
      'Creates an account and prints it as JSON. With --admin, a member of that corporate ' +
      "admin's account. A password lets the account sign in through /login (OAuth2).",
    example:
      'printf \'%s\\n\' "$PASSWORD" | faxd accounts create --email ops@example.com --password-stdin',
  },
  'accounts list': {
    usage: 'faxd accounts list',
    does: 'Prints every account of this server, oldest first, as JSON.',
    example: 'faxd accounts list',
  },
  'accounts set-password': {
    usage: 'faxd accounts set-password --user UID    (reads the password from standard input)',
    does: "Sets an account's password, the one it signs in with through /login (OAuth2).",
    example: 'printf \'%s\\n\' "$PASSWORD" | faxd accounts set-password --user 5a8e…',
  },
  'numbers add': {
    usage: 'faxd numbers add NUMBER --owner UID [--assign UID]... [--country CODE]',
    does:
      'Adds a fax number of this server to an account (its owner), optionally assigned to ' +
      'members. Write it with + and the country code ("+1 555 555 0150": spaces, dots, dashes ' +
      'and parentheses are fine), or as a national number with --country and the calling code.',
    example: "faxd numbers add '(555) 555-0150' --country 1 --owner 5a8e…",
  },
  'numbers list': {
    usage: 'faxd numbers list [--owner UID]',
    does: "Prints every number of this server, or one account's, with its owner and assignees.",
    example: 'faxd numbers list --owner 5a8e…',
  },
  'tokens create': {
    usage: 'faxd tokens create --user UID [--scopes a,b] [--expires-in-days N]',
    does:
      'Creates a personal access token for the API (Authorization: Bearer …) and prints it ' +
      'once; faxd keeps only its hash. Every scope unless --scopes names some.',
    example: 'faxd tokens create --user 5a8e… --scopes fax:fax:read,fax:fax:edit',
  },
  'tokens list': {
    usage: 'faxd tokens list --user UID',
    does:
      "Prints an account's tokens, newest first: id, kind, scopes, and when each was made, " +
      'expires and was revoked. Never the secrets: faxd keeps only their hashes.',
    example: 'faxd tokens list --user 5a8e…',
  },
  'tokens revoke': {
    usage: 'faxd tokens revoke ID',
    does:
      'Revokes a token by the id `tokens list` shows: every request that bears it is refused ' +
      'from then on, on every faxd process of the database.',
    example: 'faxd tokens revoke 9c1f…',
  },
  'clients create': {
    usage:
      'faxd clients create --user UID --name NAME [--homepage URL] [--public] --redirect-uri URI\n' +
      '              [--redirect-uri URI]...',
    does:
      'Registers an OAuth2 client (an application that signs users in) and prints its id and ' +
      'secret once. --public: a browser or native app, which cannot keep a secret; it gets ' +
      'none (client_secret is null) and must use PKCE.',
    example:
      "faxd clients create --user 5a8e… --name 'Clinic portal' --redirect-uri https://portal.example.com/callback",
  },
  login: {
    usage: 'faxd login --url URL    (reads the personal access token from standard input)',
    does:
      'Client: checks the token against the server and saves both for the client commands, in ' +
      '$XDG_CONFIG_HOME/faxd/client.json (~/.config/faxd/client.json), mode 0600. FAXD_URL and ' +
      'FAXD_TOKEN, set together, are used instead. On a terminal the token is asked for, not shown.',
    example: 'printf \'%s\\n\' "$TOKEN" | faxd login --url https://fax.example.com',
  },
  logout: {
    usage: 'faxd logout',
    does: 'Client: forgets the saved login.',
    example: 'faxd logout',
  },
  send: {
    usage:
      'faxd send FILE... --to NUMBER... [--from NUMBER] [--at TIME] [--wait] [--retry N]\n' +
      '              [--retry-delay SECONDS] [--resolution fine|superfine] [--no-enhancement]\n' +
      '              [--cover-subject S [--cover-to NAME] [--cover-from NAME] [--cover-message M]]\n' +
      '              [--comment TEXT]',
    does:
      'Client: uploads the files and sends them as one fax to each number (--to again, or ' +
      'commas). --from may be left out when the account has one number. --at: +30m, 14:30, ' +
      '"2026-12-24 09:00" (local time) or ISO 8601. --wait follows the fax to its end, ' +
      'showing uploads, rendering, scheduling, dialing, page k of n and retries (redrawn on a ' +
      'terminal, a line per change elsewhere). Exit status: 0 every destination got every page, ' +
      '3 part of it got through (some destinations, or some pages), 4 none got a page, 1 an error (nothing sent unless ' +
      'it says accepted), 2 a usage error, 130 Ctrl-C (an accepted fax goes on).',
    example:
      'faxd send contract.pdf annex.docx --to +15555550100 --to +15555550104 --cover-subject Contract --wait',
  },
  status: {
    usage: 'faxd status ID [--json]',
    does:
      'Client: where a fax stands. An outbox ID (faxd send prints it) shows each destination ' +
      'still going, until all have ended and the entry leaves the outbox; a fax ID (one per ' +
      'destination, also printed by send) shows, once that destination has ended, its end and ' +
      'every attempt: time, outcome, pages, remote station and rate.',
    example: 'faxd status 3f2a…',
  },
  'faxes list': {
    usage: 'faxd faxes list [--category inbox|sent|spam] [--limit N] [--json]',
    does: 'Client: the latest faxes sent and received (20 unless --limit), newest first.',
    example: 'faxd faxes list --category inbox --limit 5',
  },
  download: {
    usage: 'faxd download ID [-o FILE] [--format pdf|tiff] [--force]',
    does:
      "Client: saves a fax's pages as a PDF (or, with --format tiff or -o x.tif, the TIFF-F as " +
      'sent or received); fax-ID.pdf unless -o names a file. An existing file is kept unless --force.',
    example: 'faxd download 7c01… -o signed-contract.pdf',
  },
  render: {
    usage:
      'faxd render FILE... [--resolution fine|superfine] [--no-enhancement] [--cover-json JSON]\n' +
      '              [--logo FILE] -o OUT.tif|OUT.pdf',
    does:
      'Renders documents into the fax pages faxd would send, as the service renders them, ' +
      'and writes them as a TIFF-F (or, named .pdf, a PDF); prints the page count.',
    example: 'faxd render contract.pdf --resolution superfine -o contract.tif',
  },
  serve: {
    usage: 'faxd serve',
    does:
      'Runs the API (PORT, HOST) with a worker that renders, sends and delivers webhooks ' +
      '(FAXD_EMBEDDED_WORKER=0 for the API alone). Settings: README, "Configuration".',
    example: 'PORT=8080 FAXD_DATA=/var/lib/faxd faxd serve',
  },
  worker: {
    usage: 'faxd worker',
    does:
      'Runs a worker alone, beside a faxd serve on the same database and file store ' +
      '(docs/scaling.md); FAXD_METRICS_LISTEN serves its /metrics.',
    example: 'DATABASE_URL=postgres://faxd@db/faxd FAXD_FILE_STORE=postgres faxd worker',
  },
}

/** Every command's usage line, as printed after a usage error. */
export const USAGE = `usage:\n${Object.values(COMMAND_HELP)
  .map((help) => `  ${help.usage}`)
  .join('\n')}\n  faxd help [COMMAND]    (what a command does, with an example)`

/** Whether the command line asks for help rather than for a command. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')
}

/** The help the command line asks for; a UsageError when it names no command. */
export function helpText(argv: readonly string[]): string {
  const words = argv.filter((word) => word !== 'help' && word !== '--help' && word !== '-h')
  // The command's own words, up to its first option or argument.
  const name: string[] = []
  for (const word of words) {
    const longer = [...name, word].join(' ')
    if (!Object.keys(COMMAND_HELP).some((key) => key === longer || key.startsWith(`${longer} `))) {
      break
    }
    name.push(word)
  }
  const asked = name.join(' ')
  if (words.length > 0 && name.length === 0) {
    throw new UsageError(`no command is named ${JSON.stringify(words.join(' '))}`)
  }
  const matching = Object.entries(COMMAND_HELP).filter(
    ([key]) => asked === '' || key === asked || key.startsWith(`${asked} `),
  )
  const blocks = matching.map(
    ([, help]) =>
      `  ${help.usage}\n\n    ${wrap(help.does, 90)}\n\n    Example:\n      ${help.example}`,
  )
  const intro =
    asked === ''
      ? 'faxd: a self-hosted fax server with the Fax.Plus v3 API. Operator commands read the\n' +
        "server's settings (FAXD_DATA, DATABASE_URL, …) from the environment and print JSON; client\n" +
        'commands (login, send, status, faxes list, download) speak HTTP to a server like any\n' +
        'other client.\n\n'
      : ''
  return `${intro}usage:\n${blocks.join('\n\n')}\n`
}

function wrap(text: string, width: number): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  lines.push(line)
  return lines.join('\n    ')
}
