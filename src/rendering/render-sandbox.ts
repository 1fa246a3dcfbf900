/**
 * What a render process sees of the host when it is confined (src/sandbox): the programs it runs
 * (Node.js, faxd's own code and its npm packages, LibreOffice, the fonts), read-only; the one
 * folder of its fax, whose documents it reads and whose output folder it writes; and a private
 * temporary folder. Nothing else: not the data folder with every account's files, not the other
 * faxes being rendered, not the network.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sandbox, SandboxView } from '../sandbox/sandbox.js'
import { probeSandbox } from '../sandbox/probe-sandbox.js'

/** The folder of one render: documents in, the TIFF-F out, temporary files. */
export interface RenderFolder {
  readonly root: string
  /** The documents (and the cover's logo), read-only to the render. */
  readonly input: string
  readonly output: string
  /** TMPDIR and HOME of the render and of LibreOffice (its profile lives here). */
  readonly temporary: string
}

/**
 * Where a render folder of this process goes: the system's temporary folder, under a name that
 * says which process made it (`faxd-render-<pid>-…`), so that the folders of a process that died
 * mid-render can be told apart and removed (sweepRenderFolders).
 */
export function renderFolderPrefix(): string {
  return path.join(os.tmpdir(), `faxd-render-${process.pid}-`)
}

/**
 * Removes the render folders that processes of this machine left behind when they died in the
 * middle of a render (a crash, SIGKILL, the OOM killer): they hold a copy of a fax's documents.
 * A folder is left alone while the process named in it is alive (signal 0 reaches it, or exists
 * but is not ours to signal). Answers how many were removed.
 */
export async function sweepRenderFolders(
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<number> {
  const folder = os.tmpdir()
  let removed = 0
  for (const name of await readdir(folder).catch((): string[] => [])) {
    const pid = Number(/^faxd-render-(\d+)-/.exec(name)?.[1] ?? Number.NaN)
    if (!Number.isSafeInteger(pid) || pid === process.pid || isAlive(pid)) {
      continue
    }
    await rm(path.join(folder, name), { recursive: true, force: true })
    removed++
  }
  return removed
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A new render folder under the system's temporary folder. */
export async function createRenderFolder(): Promise<RenderFolder> {
  const root = await mkdtemp(renderFolderPrefix())
  const folder = {
    root,
    input: path.join(root, 'in'),
    output: path.join(root, 'out'),
    temporary: path.join(root, 'tmp'),
  }
  await Promise.all(
    [folder.input, folder.output, folder.temporary].map(async (each) => mkdir(each)),
  )
  return folder
}

export async function removeRenderFolder(folder: RenderFolder): Promise<void> {
  await rm(folder.root, { recursive: true, force: true })
}

/**
 * The view of a render process whose entry is `entry` (faxd's code, from src/ or dist/), with
 * LibreOffice at `officeProgram` when Office documents are converted.
 */
export function renderView(
  folder: RenderFolder,
  entry: URL,
  officeProgram: string | undefined,
  env: Readonly<Record<string, string>>,
): SandboxView {
  const code = path.dirname(path.dirname(fileURLToPath(entry)))
  const project = path.dirname(code)
  return {
    readOnly: [
      code,
      path.join(project, 'package.json'),
      path.join(project, 'tsconfig.json'),
      ...nodeModulesFolders(project),
      ...installationOutsideUsr(process.execPath),
      ...(officeProgram === undefined ? [] : installationOutsideUsr(officeProgram)),
      // LibreOffice's registry under /usr/lib/libreoffice/share links into /etc/libreoffice.
      '/etc/libreoffice',
      '/etc/fonts',
      '/var/cache/fontconfig',
      folder.input,
    ],
    writable: [folder.output, folder.temporary],
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: folder.temporary,
      TMPDIR: folder.temporary,
      LANG: 'C.UTF-8',
      ...env,
    },
    cwd: project,
  }
}

/**
 * Whether a render process can start in `sandbox` on this host: null, or why not. Runs Node.js
 * in the view a render gets, with an empty folder, as far as `node --version`: the namespaces,
 * the binds and the program's libraries are what can fail, and it is 5 ms where starting a
 * script is 40.
 */
export async function probeRenderSandbox(sandbox: Sandbox, entry: URL): Promise<string | null> {
  const folder = await createRenderFolder()
  try {
    const view = renderView(folder, entry, undefined, {})
    return await probeSandbox(sandbox, view, process.execPath, ['--version'])
  } finally {
    await removeRenderFolder(folder)
  }
}

/**
 * Where Node.js looks for packages from `project`: `node_modules` in it and in each folder above
 * it (the resolution algorithm of the Node.js modules documentation, "Loading from node_modules
 * folders").
 */
function nodeModulesFolders(project: string): string[] {
  const folders: string[] = []
  for (let folder = project; ; folder = path.dirname(folder)) {
    if (path.basename(folder) !== 'node_modules') {
      folders.push(path.join(folder, 'node_modules'))
    }
    if (path.dirname(folder) === folder) {
      return folders
    }
  }
}

/**
 * The installation folder of a program that is not under /usr (bound whole in any case): two
 * levels above the real file (`/opt/node/bin/node` → `/opt/node`,
 * `/opt/libreoffice7.6/program/soffice` → `/opt/libreoffice7.6`). A name not found is left to
 * PATH inside.
 */
function installationOutsideUsr(program: string): string[] {
  if (!path.isAbsolute(program)) {
    return []
  }
  let real: string
  try {
    real = realpathSync(program)
  } catch {
    return []
  }
  if (real.startsWith('/usr/')) {
    return []
  }
  // Never the whole root: a program two levels below it brings its own folder only.
  const installation = path.dirname(path.dirname(real))
  return [installation === '/' ? path.dirname(real) : installation].filter((each) => each !== '/')
}
