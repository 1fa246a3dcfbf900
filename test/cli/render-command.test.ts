/**
 * `faxd render` as an operator runs it: `node bin/faxd.js render …` in a child process, writing a
 * TIFF-F that libtiff reads cleanly and printing {"pages", "bytes"}; usage errors exit 2, documents
 * that cannot be rendered exit 1 with the Fax.Plus status.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { readTiff } from '../../src/codec/tiff-read.js'
import { runToolCleanly } from '../codec/checks.js'
import { documentPath, hostilePath } from '../support/fixtures.js'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'faxd.js')

async function faxdRender(...args: string[]) {
  return faxdRenderWith(process.env, ...args)
}

async function faxdRenderWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'render', ...args], { env })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const COVER = JSON.stringify({
  name_to: 'Accounts payable',
  name_from: 'Tallow Creek Clinic',
  subject: 'Invoice 7731',
  flags: ['urgent', 'please_reply'],
  message: 'Two pages follow.',
})

describe('faxd render', () => {
  let directory: string
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'faxd-render-cli-'))
  })
  after(() => {
    rmSync(directory, { recursive: true, force: true })
  })

  it(
    'renders a PDF unconfined, and says why, where bwrap is installed but cannot make a sandbox',
    { timeout: 120_000 },
    async () => {
      // A bwrap that fails as one in a container without namespaces does: the render process
      // started in it while the sandbox is tried never answers, and the render goes on without.
      const bin = join(directory, 'broken-bwrap')
      mkdirSync(bin)
      writeFileSync(
        join(bin, 'bwrap'),
        '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
      )
      chmodSync(join(bin, 'bwrap'), 0o755)
      const output = join(directory, 'unconfined.tif')
      const result = await faxdRenderWith(
        { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` },
        documentPath('letter.pdf'),
        '-o',
        output,
      )
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(JSON.parse(result.stdout), { pages: 1, bytes: statSync(output).size })
      assert.match(result.stderr, /cannot be sandboxed on this host .*No permissions/)
    },
  )

  it(
    'writes the cover and the documents as one TIFF-F and prints the page count',
    { timeout: 120_000 },
    async () => {
      const output = join(directory, 'fax.tif')
      const result = await faxdRender(
        documentPath('text-letter.pdf'),
        documentPath('photo.png'),
        '--cover-json',
        COVER,
        '-o',
        output,
      )
      assert.equal(result.code, 0, result.stderr)
      const printed = JSON.parse(result.stdout) as { pages: number; bytes: number }
      assert.deepEqual(printed, { pages: 4, bytes: statSync(output).size })
      runToolCleanly('tiffinfo', ['-D', output])
      const pages = readTiff(new Uint8Array(readFileSync(output)))
      assert.equal(pages.length, 4)
      for (const page of pages) {
        assert.equal(page.width, 1728)
        assert.equal(page.compression, 'mmr')
        assert.equal(page.xDpi, 204)
        assert.equal(page.yDpi, 196)
        assert.equal(page.height, 2156)
      }
    },
  )

  it('renders at superfine with --resolution superfine', { timeout: 120_000 }, async () => {
    const output = join(directory, 'superfine.tif')
    const result = await faxdRender(
      documentPath('a4.pdf'),
      '--resolution',
      'superfine',
      '-o',
      output,
    )
    assert.equal(result.code, 0, result.stderr)
    const [page] = readTiff(new Uint8Array(readFileSync(output)))
    assert.equal(page?.yDpi, 392)
    assert.equal(page?.height, 4584)
  })

  it(
    'exits 1 with the Fax.Plus status for a document it cannot render, writing nothing',
    { timeout: 120_000 },
    async () => {
      const output = join(directory, 'encrypted.tif')
      const result = await faxdRender(hostilePath('encrypted.pdf'), '-o', output)
      assert.equal(result.code, 1)
      assert.deepEqual(JSON.parse(result.stderr.trim().split('\n').at(-1) ?? ''), {
        error: 'failed_unknown_converter_issue',
        description: 'the PDF is password-protected; send it without a password',
      })
      assert.throws(() => statSync(output), /ENOENT/)
    },
  )

  it(
    'writes the pages as a PDF when the output is named .pdf, the same images as the TIFF',
    { timeout: 120_000 },
    async () => {
      const output = join(directory, 'fax.PDF')
      const result = await faxdRender(documentPath('text-letter.pdf'), '-o', output)
      assert.equal(result.code, 0, result.stderr)
      const printed = JSON.parse(result.stdout) as { pages: number; bytes: number }
      const pdf = readFileSync(output)
      assert.deepEqual(printed, { pages: 2, bytes: pdf.length })
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
      runToolCleanly('qpdf', ['--check', output])
      const { stdout } = await run('pdfinfo', [output])
      assert.match(stdout, /^Pages:\s+2$/m)
      assert.deepEqual(
        readdirSync(directory).filter((name) => name.startsWith('fax.PDF.')),
        [],
        'the TIFF it was made from is gone',
      )
    },
  )

  const usage: [string, string[], RegExp][] = [
    ['no output', [documentPath('a4.pdf')], /-o OUT.tif is required/],
    ['no document', ['-o', 'x.tif'], /at least one FILE/],
    [
      'a bad resolution',
      [documentPath('a4.pdf'), '--resolution', 'standard', '-o', 'x.tif'],
      /fine or superfine/,
    ],
    ['a missing file', ['/nonexistent/a.pdf', '-o', 'x.tif'], /cannot read \/nonexistent\/a.pdf/],
    [
      'cover JSON that is not JSON',
      [documentPath('a4.pdf'), '--cover-json', '{', '-o', 'x.tif'],
      /not JSON/,
    ],
    [
      'a cover without name_to',
      [documentPath('a4.pdf'), '--cover-json', '{"name_from":"a","subject":"b"}', '-o', 'x.tif'],
      /"name_to"/,
    ],
    [
      'an unknown cover flag',
      [
        documentPath('a4.pdf'),
        '--cover-json',
        '{"name_to":"a","name_from":"b","subject":"c","flags":["secret"]}',
        '-o',
        'x.tif',
      ],
      /"flags" may hold urgent/,
    ],
    ['an unknown option', [documentPath('a4.pdf'), '--colour', '-o', 'x.tif'], /Unknown option/],
    [
      'an output named neither TIFF nor PDF',
      [documentPath('a4.pdf'), '-o', 'x.png'],
      /-o x\.png: faxd render writes a TIFF \(name it \.tif or \.tiff\) or a PDF \(\.pdf\)/,
    ],
  ]
  for (const [what, args, message] of usage) {
    it(`exits 2 on ${what}`, { timeout: 60_000 }, async () => {
      const result = await faxdRender(...args)
      assert.equal(result.code, 2)
      const body = JSON.parse(result.stderr.split('\n')[0] ?? '') as {
        error: string
        description: string
      }
      assert.equal(body.error, 'usage')
      assert.match(body.description, message)
    })
  }
})
