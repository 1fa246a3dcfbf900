/**
 * Office documents (Word, Excel, OpenDocument, RTF) become PDF through LibreOffice, the only
 * converter that reads them faithfully. LibreOffice can hang or balloon on a hostile file, so it
 * runs with its own throwaway profile (two conversions never share one, and a crashed one leaves
 * no lock behind) and is killed, with every process it started, at a hard timeout.
 *
 * A document can also link to content elsewhere (an image by http:// or file:// URL, an external
 * relationship in a DOCX) that LibreOffice would fetch and draw into the pages. The render's
 * sandbox (render-sandbox.ts) leaves it nothing to reach; the profile also tells it not to try
 * (hardenedProfile below).
 */
import { looksLikeHtml } from '../domain/document-kind.js'
import { spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { RenderingError } from './rendering-error.js'

export interface OfficeConverterOptions {
  /** The LibreOffice program (`soffice`, found on PATH, by default). */
  readonly program: string
  readonly timeoutMs: number
  /** Address space LibreOffice may map (prlimit --as); past it, its allocations fail. */
  readonly maxMemoryBytes: number
}

/**
 * The extension LibreOffice is handed the file under. It detects the real type from the content;
 * the extension only picks the first filter it tries.
 */
export function officeExtension(head: Uint8Array): string {
  const text = new TextDecoder('latin1').decode(head.subarray(0, 65_536))
  if (looksLikeHtml(head)) {
    return 'html'
  }
  if (text.startsWith('{\\rtf')) {
    return 'rtf'
  }
  if (text.startsWith('\xd0\xcf\x11\xe0')) {
    return text.includes('W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t') ? 'doc' : 'xls'
  }
  if (text.includes('application/vnd.oasis.opendocument.spreadsheet')) {
    return 'ods'
  }
  if (text.includes('application/vnd.oasis.opendocument.')) {
    return 'odt'
  }
  if (text.includes('xl/')) {
    return 'xlsx'
  }
  if (text.includes('ppt/')) {
    return 'pptx'
  }
  return 'docx'
}

/** The document as PDF octets. */
export async function convertOfficeToPdf(
  data: Uint8Array,
  options: OfficeConverterOptions,
): Promise<Uint8Array> {
  const workDirectory = await mkdtemp(path.join(os.tmpdir(), 'faxd-office-'))
  try {
    const extension = officeExtension(data)
    const input = path.join(workDirectory, `document.${extension}`)
    const outputDirectory = path.join(workDirectory, 'out')
    const profile = path.join(workDirectory, 'profile')
    await writeFile(input, data)
    await mkdir(path.join(profile, 'user'), { recursive: true })
    await writeFile(path.join(profile, 'user', 'registrymodifications.xcu'), HARDENED_SETTINGS)
    await runLibreOffice(
      [
        `-env:UserInstallation=${pathToFileURL(profile).href}`,
        '--headless',
        '--invisible',
        '--nologo',
        '--nodefault',
        '--norestore',
        '--nolockcheck',
        // A web page opens in Writer itself: Writer/Web, LibreOffice's default for HTML, exports
        // a blank first page and loses the first heading.
        ...(extension === 'html' ? ['--infilter=HTML (StarWriter)'] : []),
        '--convert-to',
        extension === 'html' ? 'pdf:writer_pdf_Export' : 'pdf',
        '--outdir',
        outputDirectory,
        input,
      ],
      options,
    )
    const produced = await readdir(outputDirectory).catch(() => [])
    const pdf = produced.find((name) => name.endsWith('.pdf'))
    if (pdf === undefined) {
      throw new RenderingError(
        'failed_office_converter_issue',
        'LibreOffice could not convert the document (it may be damaged or not an Office file)',
      )
    }
    return new Uint8Array(await readFile(path.join(outputDirectory, pdf)))
  } finally {
    await rm(workDirectory, { recursive: true, force: true })
  }
}

/**
 * The settings a conversion's profile starts with (registrymodifications.xcu; the names are those
 * of LibreOffice's configuration schema, officecfg, as in share/registry/main.xcd):
 * - Common/Security/Scripting/BlockUntrustedRefererLinks: content linked from a document that is
 *   not in a trusted location (none is) is not loaded: images by URL, linked sections, OLE links;
 * - Writer and Calc Content/Update/Link = 2: links are never updated (0 always, 1 on request);
 * - MacroSecurityLevel 3 ("very high": only signed macros from trusted locations) and
 *   DisableMacrosExecution: no macro runs, and none can be allowed.
 */
const HARDENED_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
${[
  ['/org.openoffice.Office.Common/Security/Scripting', 'BlockUntrustedRefererLinks', 'true'],
  ['/org.openoffice.Office.Common/Security/Scripting', 'MacroSecurityLevel', '3'],
  ['/org.openoffice.Office.Common/Security/Scripting', 'DisableMacrosExecution', 'true'],
  ['/org.openoffice.Office.Writer/Content/Update', 'Link', '2'],
  ['/org.openoffice.Office.Calc/Content/Update', 'Link', '2'],
]
  .map(
    ([group, name, value]) =>
      `<item oor:path="${group}"><prop oor:name="${name}" oor:op="fuse"><value>${value}</value></prop></item>`,
  )
  .join('\n')}
</oor:items>
`

/**
 * Runs LibreOffice under coreutils `timeout`, which makes itself a process-group leader and
 * kills the whole group (soffice, oosplash, soffice.bin) when the time is up, even when the
 * process that started it has been killed in the meantime; and under util-linux `prlimit`, which
 * caps the address space every process of the group may map.
 */
function runLibreOffice(args: readonly string[], options: OfficeConverterOptions): Promise<void> {
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000))
  return new Promise((resolve, reject) => {
    const limits = ['prlimit', `--as=${options.maxMemoryBytes}`, '--']
    const command = ['--signal=KILL', `${seconds}s`, ...limits, options.program, ...args]
    const child = spawn('timeout', command, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SAL_USE_VCLPLUGIN: 'svp', HOME: os.tmpdir() },
    })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000)
    })
    child.on('error', (error) => {
      reject(
        new RenderingError(
          'failed_office_converter_issue',
          `LibreOffice cannot be started (${options.program}): ${error.message}`,
          { cause: error },
        ),
      )
    })
    child.on('close', (code, signal) => {
      // timeout exits 128+9 when it had to kill the command, 127 when it could not run it.
      if (code === 137 || signal !== null) {
        reject(
          new RenderingError(
            'failed_office_converter_issue',
            `LibreOffice did not finish converting the document within ${seconds} s`,
          ),
        )
      } else if (code === 127 || code === 126) {
        reject(
          new RenderingError(
            'failed_office_converter_issue',
            `LibreOffice cannot be started (${options.program})`,
          ),
        )
      } else if (code !== 0) {
        const reason = stderr.trim().split('\n').at(-1) ?? ''
        reject(
          new RenderingError(
            'failed_office_converter_issue',
            `LibreOffice failed (exit ${code})${reason === '' ? '' : `: ${reason}`}`,
          ),
        )
      } else {
        resolve()
      }
    })
  })
}

/** The absolute path of `program` (a name looked up on PATH, or a path), or undefined. */
export function findProgram(
  program: string,
  searchPath = process.env['PATH'] ?? '',
): string | undefined {
  const candidates = program.includes('/')
    ? [program]
    : searchPath
        .split(path.delimiter)
        .filter((directory) => directory !== '')
        .map((directory) => path.join(directory, program))
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK)
      return statSync(candidate).isFile()
    } catch {
      return false
    }
  })
}
