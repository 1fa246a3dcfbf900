/**
 * How this host renders documents, worked out at start-up by every process that renders
 * (`faxd serve`, `faxd worker`, `faxd render`): a composition module like main.ts, apart from it
 * so that `faxd render` loads what rendering needs and not the server.
 */
import { tmpdir } from 'node:os'
import type { RenderingConfig } from './config.js'
import { A4, LETTER } from './rendering/fax-geometry.js'
import type { Isolation } from './rendering/isolated-renderer.js'
import type { Sandbox } from './sandbox/sandbox.js'
import { probeRenderIsolation } from './rendering/isolated-renderer.js'
import { findProgram } from './rendering/office-conversion.js'
import { sweepRenderFolders } from './rendering/render-sandbox.js'
import type { RenderSettings } from './rendering/render-settings.js'
import { MAX_PICTURE_PIXELS } from './rendering/render-settings.js'

/** How this host renders documents, and what the operator should be told about it at start-up. */
export interface RenderingSetup {
  readonly settings: RenderSettings
  readonly isolation: Isolation
  readonly notices: readonly { readonly level: 'warn' | 'error'; readonly message: string }[]
}

/**
 * The renderer's settings and isolation on this host. The sandbox is tried once (a render
 * process started in it): where it cannot start, Office documents are refused, since
 * LibreOffice would fetch what they link to and read what they name; PDFs, pictures and text,
 * drawn by faxd's own code, which follows no link, are rendered in a plain child process. The
 * operator can choose to run everything unconfined (FAXD_SANDBOX=none).
 */
export async function prepareRendering(
  config: RenderingConfig,
  dataDir: string,
  bwrap: string | null = findProgram('bwrap') ?? null,
): Promise<RenderingSetup> {
  // A process that died mid-render left a copy of a fax's documents behind: removed first.
  const swept = await sweepRenderFolders()
  const setup = await renderingOnThisHost(config, dataDir, bwrap)
  if (swept === 0) {
    return setup
  }
  const notice = {
    level: 'warn',
    message:
      `removed ${swept} render folder(s) that faxd processes of this machine left in ` +
      `${tmpdir()} when they stopped in the middle of a render (copies of faxes' documents)`,
  } as const
  return { ...setup, notices: [...setup.notices, notice] }
}

export interface IntendedRendering {
  readonly isolation: Isolation
  /** LibreOffice, where Office documents are converted. */
  readonly officeProgram: string | undefined
}

/**
 * Where renders run if the sandbox works here, as prepareRendering finds out; null where bwrap
 * is not even installed. `faxd render` starts its render process so while the sandbox is tried,
 * and uses it when prepareRendering agrees.
 */
export function intendedRendering(
  config: RenderingConfig,
  dataDir: string,
  bwrap: string | null = findProgram('bwrap') ?? null,
): IntendedRendering | null {
  if (config.sandbox !== 'none' && bwrap === null) {
    return null
  }
  return {
    isolation: {
      timeoutMs: config.timeoutMs,
      maxMemoryBytes: config.maxMemoryBytes,
      sandbox: sandboxOf(config, dataDir, bwrap),
    },
    officeProgram: config.officeProgram === null ? undefined : findProgram(config.officeProgram),
  }
}

function sandboxOf(config: RenderingConfig, dataDir: string, bwrap: string | null): Sandbox {
  return config.sandbox === 'none'
    ? { kind: 'none' }
    : { kind: 'bubblewrap', program: bwrap ?? 'bwrap', hidden: [dataDir] }
}

async function renderingOnThisHost(
  config: RenderingConfig,
  dataDir: string,
  bwrap: string | null,
): Promise<RenderingSetup> {
  const program = config.officeProgram === null ? undefined : findProgram(config.officeProgram)
  const limits = { timeoutMs: config.timeoutMs, maxMemoryBytes: config.maxMemoryBytes }
  const settings = (withOffice: boolean): RenderSettings => ({
    paper: config.paper === 'a4' ? A4 : LETTER,
    maxPages: config.maxPages,
    maxPicturePixels: MAX_PICTURE_PIXELS,
    threads: config.threads,
    office:
      program === undefined || !withOffice
        ? undefined
        : { program, timeoutMs: config.officeTimeoutMs, maxMemoryBytes: config.officeMemoryBytes },
  })
  if (config.sandbox === 'none') {
    return {
      settings: settings(true),
      isolation: { ...limits, sandbox: { kind: 'none' } },
      notices: [
        {
          level: 'warn',
          message:
            'FAXD_SANDBOX=none: documents are converted and drawn without a sandbox; a hostile ' +
            'document can make LibreOffice fetch URLs from this server and read its files, other ' +
            "accounts' faxes included (docs/sandbox.md)",
        },
      ],
    }
  }
  const sandbox = sandboxOf(config, dataDir, bwrap)
  const problem =
    bwrap === null ? 'bubblewrap (bwrap) is not installed' : await probeRenderIsolation(sandbox)
  if (problem === null) {
    return { settings: settings(true), isolation: { ...limits, sandbox }, notices: [] }
  }
  return {
    settings: settings(false),
    isolation: { ...limits, sandbox: { kind: 'none' } },
    notices: [
      {
        level: 'error',
        message:
          `documents cannot be sandboxed on this host (${problem}): Office documents are refused ` +
          'until they can be, and PDFs, pictures and text are drawn without a sandbox. Install ' +
          'bubblewrap (apt-get install bubblewrap) and allow it namespaces, or set ' +
          'FAXD_SANDBOX=none to convert Office documents unconfined, at the risk docs/sandbox.md ' +
          'names',
      },
    ],
  }
}
