/**
 * The web console (console/, built by Vite into dist/console) at `/`: its index.html and the
 * files Vite's manifest names under /assets/, read once when the server starts and served from
 * memory, so no request names a path on disk. The console talks to the public /v3 API only.
 *
 * index.html is never cached (it names the assets of the build in use); the assets carry a
 * hash in their names and are cached for a year. Every answer forbids framing and sniffing,
 * and the page's Content-Security-Policy lets it load nothing but its own files and talk to
 * nothing but this server.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

interface ConsoleFile {
  readonly body: Buffer
  readonly type: string
}

interface ViteManifestEntry {
  readonly file: string
  readonly css?: readonly string[]
  readonly assets?: readonly string[]
}

/** The built console's files by URL path, or null when it has not been built. */
export async function loadConsole(directory: string): Promise<Map<string, ConsoleFile> | null> {
  let manifest: Record<string, ViteManifestEntry>
  try {
    manifest = JSON.parse(
      await readFile(path.join(directory, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, ViteManifestEntry>
  } catch {
    return null
  }
  const names = new Set(['index.html'])
  for (const entry of Object.values(manifest)) {
    for (const name of [entry.file, ...(entry.css ?? []), ...(entry.assets ?? [])]) {
      names.add(name)
    }
  }
  const files = new Map<string, ConsoleFile>()
  for (const name of names) {
    const type = MEDIA_TYPES[path.extname(name)] ?? 'application/octet-stream'
    files.set(`/${name}`, { body: await readFile(path.join(directory, name)), type })
  }
  return files
}

export function registerConsoleRoutes(
  app: FastifyInstance,
  files: ReadonlyMap<string, ConsoleFile> | null,
): void {
  const send = (reply: FastifyReply, file: ConsoleFile, immutable: boolean) =>
    reply
      .header('content-type', file.type)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONSOLE_CSP)
      .send(file.body)

  app.get('/', async (_request, reply) => {
    const index = files?.get('/index.html')
    if (index === undefined) {
      return reply
        .status(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(
          'The web console is not built in this installation: `npm run build` builds it ' +
            '(dist/console). The API is at /v3.\n',
        )
    }
    return send(reply, index, false)
  })

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const file = files?.get(`/assets/${request.params.name}`)
    if (file === undefined) {
      return reply
        .status(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('No such file in the web console.\n')
    }
    return send(reply, file, true)
  })
}
