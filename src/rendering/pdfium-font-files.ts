/**
 * The file system PDFium's WebAssembly sees: the system's font folders, read-only, and nothing
 * else. A PDF that names a font without embedding it (Adobe's CJK fonts, STSong-Light or
 * HeiseiMin-W3, are never embedded) is drawn with a font PDFium finds there, as on a desktop;
 * with no file system at all such text was not drawn (the standard fonts, Helvetica, Times and
 * the others, have stand-ins built into PDFium).
 * PDFium's Linux font lookup lists these four folders (core/fxge/linux/fx_linux_impl.cpp), reads
 * the headers of the fonts in them, and reads the one it picks when a page needs it.
 *
 * The calls are Emscripten's system calls as its C library makes them (struct layouts from
 * Emscripten's library_syscall.js and library_wasi.js): `__syscall_*` answer a negative errno,
 * `fd_*` a positive one; both errno values are WASI's. Only reading is allowed, only under the
 * folders below and where their links lead within /usr; a render process is sandboxed besides,
 * with /usr in its view.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs'
import type { Dirent, Stats } from 'node:fs'
import { posix } from 'node:path'

/** The folders PDFium's Linux font lookup scans, in its order. */
export const FONT_FOLDERS = [
  '/usr/share/fonts',
  '/usr/share/X11/fonts/Type1',
  '/usr/share/X11/fonts/TTF',
  '/usr/local/share/fonts',
] as const

/** Where a font folder's links may lead: a link out of /usr is not followed. */
const SYSTEM_FILES = '/usr/'
/** Files open at once, at most: PDFium holds one or two; a runaway gets EMFILE, not the process's. */
const MAX_OPEN = 64

/** WASI errno values (wasi_snapshot_preview1). */
const EACCES = 2
const EBADF = 8
const EINVAL = 28
const EIO = 29
const EISDIR = 31
const EMFILE = 33
const ENOENT = 44
const ENOTDIR = 54
const ENOTTY = 59
const EOVERFLOW = 61

/** openat's dirfd for "relative to the working directory" (AT_FDCWD). */
const AT_FDCWD = -100
/** open(2) flags that would write (musl's values): O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND. */
const WRITING = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000
/** open(2)'s O_DIRECTORY. */
const O_DIRECTORY = 0o200000
/** fcntl(2) commands answered: F_GETFD, F_SETFD, F_GETFL. */
const F_GETFD = 1
const F_SETFD = 2
const F_GETFL = 3
/** lseek(2)'s whence. */
const SEEK_SET = 0
const SEEK_CUR = 1
const SEEK_END = 2
/** A directory entry as Emscripten's getdents64 writes it: a fixed 280 octets. */
const DIRENT_OCTETS = 280
const DIRENT_NAME_OCTETS = 256
/** d_type values. */
const DT_DIR = 4
const DT_REG = 8
/** Descriptors 0–2 are the standard streams; files opened here get 3 and up. */
const FIRST_DESCRIPTOR = 3

/** The WebAssembly memory the calls read and write, as the runtime hands it (anew each call). */
export interface Heap {
  octets(): Uint8Array
  words(): Int32Array
  text(pointer: number): string
}

interface OpenFile {
  readonly kind: 'file'
  readonly descriptor: number
  readonly flags: number
  position: number
}

interface OpenFolder {
  readonly kind: 'folder'
  readonly path: string
  readonly flags: number
  /** Its entries, read when first listed. */
  entries: { readonly name: string; readonly type: number }[] | undefined
  /** The next entry to list. */
  index: number
}

type Open = OpenFile | OpenFolder

export class PdfiumFontFiles {
  readonly #heap: Heap
  readonly #open = new Map<number, Open>()

  constructor(heap: Heap) {
    this.#heap = heap
  }

  /** The system calls, by the names PDFium's WebAssembly imports them under. */
  calls(): Record<string, (...args: number[]) => number> {
    return {
      __syscall_openat: (dirfd, path, flags) => this.#openAt(dirfd, path, flags),
      __syscall_fcntl64: (fd, command) => this.#fcntl(fd, command),
      __syscall_ioctl: (fd) => (this.#open.has(fd) ? -ENOTTY : -EBADF),
      __syscall_fstat64: (fd, buffer) => this.#fstat(fd, buffer),
      __syscall_stat64: (path, buffer) => this.#stat(path, buffer),
      __syscall_lstat64: (path, buffer) => this.#stat(path, buffer),
      __syscall_newfstatat: (dirfd, path, buffer) =>
        dirfd === AT_FDCWD ? this.#stat(path, buffer) : -EBADF,
      __syscall_getdents64: (fd, entries, count) => this.#list(fd, entries, count),
      __syscall_unlinkat: () => -EACCES,
      __syscall_rmdir: () => -EACCES,
      __syscall_ftruncate64: () => -EBADF,
      fd_read: (fd, vectors, vectorCount, done) => this.#read(fd, vectors, vectorCount, done),
      fd_seek: (fd, low, high, whence, position) => this.#seek(fd, low, high, whence, position),
      fd_close: (fd) => this.#close(fd),
      fd_sync: (fd) => (this.#open.has(fd) ? 0 : EBADF),
    }
  }

  #openAt(dirfd: number, pathPointer: number, flags: number): number {
    const path = fontPath(dirfd, this.#heap.text(pathPointer))
    if (path === null) {
      return -ENOENT
    }
    if ((flags & WRITING) !== 0) {
      return -EACCES
    }
    const found = inView(path)
    if (found === null) {
      return -ENOENT
    }
    if (this.#open.size >= MAX_OPEN) {
      return -EMFILE
    }
    const fd = this.#freeDescriptor()
    if (found.stats.isDirectory()) {
      this.#open.set(fd, { kind: 'folder', path, flags, entries: undefined, index: 0 })
      return fd
    }
    if ((flags & O_DIRECTORY) !== 0) {
      return -ENOTDIR
    }
    try {
      const descriptor = openSync(found.real, 'r')
      this.#open.set(fd, { kind: 'file', descriptor, flags, position: 0 })
    } catch {
      return -EACCES
    }
    return fd
  }

  #fcntl(fd: number, command: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return -EBADF
    }
    if (command === F_GETFD || command === F_SETFD) {
      return 0
    }
    return command === F_GETFL ? open.flags : -EINVAL
  }

  #fstat(fd: number, buffer: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return -EBADF
    }
    const stats =
      open.kind === 'file' ? fstatOf(open.descriptor) : (inView(open.path)?.stats ?? null)
    if (stats === null) {
      return -EIO
    }
    writeStat(this.#heap.words(), buffer, stats)
    return 0
  }

  #stat(pathPointer: number, buffer: number): number {
    const path = fontPath(AT_FDCWD, this.#heap.text(pathPointer))
    const found = path === null ? null : inView(path)
    if (found === null) {
      return -ENOENT
    }
    writeStat(this.#heap.words(), buffer, found.stats)
    return 0
  }

  #list(fd: number, entries: number, count: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return -EBADF
    }
    if (open.kind !== 'folder') {
      return -ENOTDIR
    }
    open.entries ??= listFolder(open.path)
    const words = this.#heap.words()
    const octets = this.#heap.octets()
    let written = 0
    while (open.index < open.entries.length && written + DIRENT_OCTETS <= count) {
      const { name, type } = open.entries[open.index]!
      const at = entries + written
      // d_ino (the entry's number: any non-zero), d_off (where the next one starts), d_reclen,
      // d_type, d_name.
      writeWord64(words, at, open.index + 1)
      writeWord64(words, at + 8, (open.index + 1) * DIRENT_OCTETS)
      octets[at + 16] = DIRENT_OCTETS & 0xff
      octets[at + 17] = DIRENT_OCTETS >> 8
      octets[at + 18] = type
      const encoded = Buffer.from(name, 'utf8').subarray(0, DIRENT_NAME_OCTETS - 1)
      octets.set(encoded, at + 19)
      octets[at + 19 + encoded.length] = 0
      written += DIRENT_OCTETS
      open.index++
    }
    return written
  }

  #read(fd: number, vectors: number, vectorCount: number, done: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return EBADF
    }
    if (open.kind !== 'file') {
      return EISDIR
    }
    const words = this.#heap.words()
    const octets = this.#heap.octets()
    let total = 0
    for (let k = 0; k < vectorCount; k++) {
      const start = words[(vectors >> 2) + 2 * k]! >>> 0
      const length = words[(vectors >> 2) + 2 * k + 1]! >>> 0
      let read: number
      try {
        read = readSync(open.descriptor, octets, start, length, open.position)
      } catch {
        return EIO
      }
      open.position += read
      total += read
      if (read < length) {
        break
      }
    }
    words[done >> 2] = total
    return 0
  }

  #seek(fd: number, low: number, high: number, whence: number, position: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return EBADF
    }
    const offset = (low >>> 0) + high * 2 ** 32
    if (!Number.isSafeInteger(offset)) {
      return EOVERFLOW
    }
    let base: number
    if (open.kind === 'folder') {
      // Only back to the start: rewinddir.
      if (whence !== SEEK_SET || offset !== 0) {
        return EINVAL
      }
      open.index = 0
      writeWord64(this.#heap.words(), position, 0)
      return 0
    }
    if (whence === SEEK_SET) {
      base = 0
    } else if (whence === SEEK_CUR) {
      base = open.position
    } else if (whence === SEEK_END) {
      const stats = fstatOf(open.descriptor)
      if (stats === null) {
        return EIO
      }
      base = stats.size
    } else {
      return EINVAL
    }
    if (base + offset < 0) {
      return EINVAL
    }
    open.position = base + offset
    writeWord64(this.#heap.words(), position, open.position)
    return 0
  }

  #close(fd: number): number {
    const open = this.#open.get(fd)
    if (open === undefined) {
      return EBADF
    }
    this.#open.delete(fd)
    if (open.kind === 'file') {
      closeSync(open.descriptor)
    }
    return 0
  }

  #freeDescriptor(): number {
    let fd = FIRST_DESCRIPTOR
    while (this.#open.has(fd)) {
      fd++
    }
    return fd
  }
}

/** `name` as a path in a font folder, or null: absolute, no way out by "..", under FONT_FOLDERS. */
function fontPath(dirfd: number, name: string): string | null {
  if (dirfd !== AT_FDCWD || !name.startsWith('/')) {
    return null
  }
  const path = posix.normalize(name).replace(/\/+$/, '')
  return FONT_FOLDERS.some((folder) => path === folder || path.startsWith(`${folder}/`))
    ? path
    : null
}

/**
 * What is at `path`, if it is a file or a folder and really lies under /usr (a font folder's
 * links lead elsewhere in /usr, to poppler's or Ghostscript's fonts, say; the sandbox shows
 * nothing else, and without one this keeps to it): null for anything else, a FIFO among them,
 * whose opening would wait for a writer.
 */
function inView(path: string): { readonly real: string; readonly stats: Stats } | null {
  try {
    const real = realpathSync.native(path)
    if (!`${real}/`.startsWith(SYSTEM_FILES)) {
      return null
    }
    const stats = statSync(real)
    return stats.isFile() || stats.isDirectory() ? { real, stats } : null
  } catch {
    return null
  }
}

function fstatOf(descriptor: number): Stats | null {
  try {
    return fstatSync(descriptor)
  } catch {
    return null
  }
}

/**
 * A folder's entries that can be opened. Not '.' and '..', nor a link that leads out of view or
 * nowhere, nor a name that is not UTF-8: PDFium stops listing a folder at the first entry it
 * cannot stat. The type is the folder's word for it (PDFium stats every entry itself).
 */
function listFolder(path: string): { readonly name: string; readonly type: number }[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(path, { withFileTypes: true })
  } catch {
    // Gone since it was opened: an empty folder.
    return []
  }
  return entries
    .filter(
      (entry) =>
        (entry.isFile() || entry.isDirectory() || entry.isSymbolicLink()) &&
        (entry.isSymbolicLink() || entry.name.includes('\uFFFD')
          ? inView(posix.join(path, entry.name)) !== null
          : true),
    )
    .map((entry) => ({ name: entry.name, type: entry.isDirectory() ? DT_DIR : DT_REG }))
}

/** A 64-bit value at `at` (a multiple of 4), low word first. */
function writeWord64(words: Int32Array, at: number, value: number): void {
  words[at >> 2] = value >>> 0
  words[(at >> 2) + 1] = Math.floor(value / 2 ** 32)
}

/** struct stat as Emscripten lays it out for wasm32 (library_syscall.js, doStat). */
function writeStat(words: Int32Array, buffer: number, stats: Stats): void {
  const at = buffer >> 2
  words[at] = stats.dev
  words[at + 1] = stats.mode
  words[at + 2] = stats.nlink
  words[at + 3] = 0
  words[at + 4] = 0
  words[at + 5] = 0
  writeWord64(words, buffer + 24, stats.size)
  words[at + 8] = 4096
  words[at + 9] = stats.blocks
  for (const [offset, ms] of [
    [40, stats.atimeMs],
    [56, stats.mtimeMs],
    [72, stats.ctimeMs],
  ] as const) {
    writeWord64(words, buffer + offset, Math.floor(ms / 1000))
    words[(buffer + offset + 8) >> 2] = Math.floor((ms % 1000) * 1_000_000)
  }
  writeWord64(words, buffer + 88, stats.ino)
}
