/**
 * The file system PDFium sees: the system's font folders, read-only, and nothing else. Called as
 * PDFium's C library calls it, on a memory of its own; the font read is Lohit Devanagari, which
 * scripts/test.sh installs (fonts-lohit-deva).
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { describe, it } from 'node:test'
import { PdfiumFontFiles } from '../../src/rendering/pdfium-font-files.js'

const FONT = '/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf'
const AT_FDCWD = -100
const O_WRONLY = 0o1
const O_CREAT = 0o100
const O_DIRECTORY = 0o200000
const SEEK_END = 2
/** WASI errno values. */
const EACCES = 2
const EBADF = 8
const EISDIR = 31
const EMFILE = 33
const ENOENT = 44
const ENOTDIR = 54
const EOVERFLOW = 61
/** st_mode's file type bits (S_IFMT) and a folder's (S_IFDIR). */
const S_IFMT = 0o170000
const S_IFDIR = 0o040000

/** A memory as PDFium's: strings are written at STRINGS, the calls' buffers at BUFFER. */
class Memory {
  readonly octets = new Uint8Array(65536)
  readonly words = new Int32Array(this.octets.buffer)
  readonly files = new PdfiumFontFiles({
    octets: () => this.octets,
    words: () => this.words,
    text: (pointer) => {
      const end = this.octets.indexOf(0, pointer)
      return Buffer.from(this.octets.subarray(pointer, end)).toString('utf8')
    },
  }).calls()

  static readonly STRINGS = 1024
  static readonly BUFFER = 8192

  string(text: string): number {
    const encoded = Buffer.from(`${text}\0`, 'utf8')
    this.octets.set(encoded, Memory.STRINGS)
    return Memory.STRINGS
  }

  open(path: string, flags = 0): number {
    return this.call('__syscall_openat', AT_FDCWD, this.string(path), flags, 0)
  }

  call(name: string, ...args: number[]): number {
    const call = this.files[name]
    assert.ok(call !== undefined, `${name} is answered`)
    return call(...args)
  }

  /** The names getdents64 wrote into BUFFER, `length` octets of entries. */
  names(length: number): string[] {
    const names: string[] = []
    for (let at = Memory.BUFFER; at < Memory.BUFFER + length;) {
      const size = this.octets[at + 16]! | (this.octets[at + 17]! << 8)
      const end = this.octets.indexOf(0, at + 19)
      names.push(Buffer.from(this.octets.subarray(at + 19, end)).toString('utf8'))
      at += size
    }
    return names
  }
}

describe("PDFium's file system", () => {
  it('finds nothing outside the font folders, however the path is written', () => {
    const memory = new Memory()
    for (const path of [
      '/etc/passwd',
      '/usr/share/fonts/../../../etc/passwd',
      '/usr/share/fontsx/a.ttf',
      'usr/share/fonts',
      '/usr/share',
    ]) {
      assert.equal(memory.open(path), -ENOENT, path)
      assert.equal(
        memory.call('__syscall_stat64', memory.string(path), Memory.BUFFER),
        -ENOENT,
        path,
      )
    }
    const folder = memory.open('/usr/share/fonts', O_DIRECTORY)
    assert.ok(folder >= 3)
    assert.equal(
      memory.call('__syscall_openat', folder, memory.string('truetype'), O_DIRECTORY, 0),
      -ENOENT,
      'a name relative to an open folder: not looked up',
    )
  })

  it('opens nothing for writing, and removes nothing', () => {
    const memory = new Memory()
    assert.equal(memory.open(FONT, O_WRONLY), -EACCES)
    assert.equal(memory.open(`${FONT}.new`, O_CREAT | O_WRONLY), -EACCES)
    assert.equal(memory.call('__syscall_unlinkat', AT_FDCWD, memory.string(FONT), 0), -EACCES)
    assert.equal(memory.call('__syscall_rmdir', memory.string('/usr/share/fonts')), -EACCES)
  })

  it('reads into several buffers in turn, and refuses a seek past 2^53', () => {
    const memory = new Memory()
    const fd = memory.open(FONT)
    assert.ok(fd >= 3, `${FONT} opens (apt-get install fonts-lohit-deva): ${fd}`)
    // Two iovecs at 0 and 8: 10 octets at BUFFER, then 6 at BUFFER + 100; the count at 16.
    memory.words.set([Memory.BUFFER, 10, Memory.BUFFER + 100, 6], 0)
    assert.equal(memory.call('fd_read', fd, 0, 2, 16), 0)
    assert.equal(memory.words[4], 16)
    const head = readFileSync(FONT).subarray(0, 16)
    assert.deepEqual(
      Buffer.from(memory.octets.subarray(Memory.BUFFER, Memory.BUFFER + 10)),
      head.subarray(0, 10),
    )
    assert.deepEqual(
      Buffer.from(memory.octets.subarray(Memory.BUFFER + 100, Memory.BUFFER + 106)),
      head.subarray(10, 16),
    )
    // An offset whose high word is 2^21: 2^53, past what a number holds exactly.
    assert.equal(memory.call('fd_seek', fd, 0, 2 ** 21, 0, 24), EOVERFLOW)
    // A high word of 1 is 4 GiB: allowed, and where the file reads nothing.
    assert.equal(memory.call('fd_seek', fd, 0, 1, 0, 24), 0)
    assert.equal(memory.words[7], 1)
    assert.equal(memory.call('fd_read', fd, 0, 1, 16), 0)
    assert.equal(memory.words[4], 0)
    assert.equal(memory.call('fd_close', fd), 0)
  })

  it('holds at most 64 files open at once', () => {
    const memory = new Memory()
    const opened: number[] = []
    for (let k = 0; k < 64; k++) {
      opened.push(memory.open(FONT))
    }
    assert.ok(opened.every((fd) => fd >= 3))
    assert.equal(new Set(opened).size, 64)
    assert.equal(memory.open(FONT), -EMFILE)
    assert.equal(memory.call('fd_close', opened[0]!), 0)
    assert.equal(memory.open(FONT), opened[0])
    for (const fd of opened) {
      assert.equal(memory.call('fd_close', fd), 0)
    }
  })

  it('reads a font as the file it is: its octets, its size, an end', () => {
    const memory = new Memory()
    const fd = memory.open(FONT)
    assert.ok(fd >= 3, `${FONT} opens (apt-get install fonts-lohit-deva): ${fd}`)
    assert.equal(memory.open(FONT, O_DIRECTORY), -ENOTDIR)
    // One read of 64 octets into BUFFER, through one iovec at 0 (pointer, length), the count at 8.
    memory.words[0] = Memory.BUFFER
    memory.words[1] = 64
    assert.equal(memory.call('fd_read', fd, 0, 1, 8), 0)
    assert.equal(memory.words[2], 64)
    const file = readFileSync(FONT)
    assert.deepEqual(
      Buffer.from(memory.octets.subarray(Memory.BUFFER, Memory.BUFFER + 64)),
      file.subarray(0, 64),
    )
    // The size, by seeking to the end (a 64-bit offset as two words at 16) and by fstat.
    assert.equal(memory.call('fd_seek', fd, 0, 0, SEEK_END, 16), 0)
    assert.equal(memory.words[4], file.length)
    assert.equal(memory.call('__syscall_fstat64', fd, Memory.BUFFER), 0)
    assert.equal(memory.words[(Memory.BUFFER + 24) >> 2], statSync(FONT).size)
    // At the end, a read gives nothing.
    assert.equal(memory.call('fd_read', fd, 0, 1, 8), 0)
    assert.equal(memory.words[2], 0)
    assert.equal(memory.call('fd_close', fd), 0)
    assert.equal(memory.call('fd_close', fd), EBADF)
    assert.equal(memory.call('fd_read', fd, 0, 1, 8), EBADF)
  })

  it("lists a font folder's entries, and lists it again from the start", () => {
    const memory = new Memory()
    const folder = '/usr/share/fonts/truetype/lohit-devanagari'
    const fd = memory.open(folder, O_DIRECTORY)
    assert.ok(fd >= 3, `${folder} opens: ${fd}`)
    assert.equal(memory.call('__syscall_fstat64', fd, Memory.BUFFER), 0)
    assert.equal(memory.words[(Memory.BUFFER + 4) >> 2]! & S_IFMT, S_IFDIR, 'st_mode: a folder')
    memory.words.set([Memory.BUFFER, 64], 0)
    assert.equal(memory.call('fd_read', fd, 0, 1, 8), EISDIR)
    const length = memory.call('__syscall_getdents64', fd, Memory.BUFFER, 4096)
    assert.ok(length > 0)
    const names = memory.names(length)
    assert.ok(names.includes('Lohit-Devanagari.ttf'), names.join(', '))
    assert.ok(!names.includes('.') && !names.includes('..'))
    assert.equal(memory.call('__syscall_getdents64', fd, Memory.BUFFER, 4096), 0, 'all listed')
    assert.equal(memory.call('fd_seek', fd, 0, 0, 0, 16), 0)
    assert.equal(memory.call('__syscall_getdents64', fd, Memory.BUFFER, 4096), length)
    assert.equal(memory.call('fd_close', fd), 0)
  })
})
