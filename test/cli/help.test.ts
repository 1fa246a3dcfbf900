/**
 * `faxd --help`, `faxd help [COMMAND]` and `faxd COMMAND --help` as a new user types them: the
 * usage on standard output and exit status 0 (issue 14, point 4: `--help` was a usage error,
 * exit 2); a command's help says what it does, with an example; help for a name that is no
 * command, and a command line with no command, are usage errors (exit 2). The processes prove
 * the exit statuses and streams; the other ways of asking are checked on the help module.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { CLIENT_COMMANDS } from '../../src/cli/client-commands.js'
import { asksForHelp, COMMAND_HELP, helpText } from '../../src/cli/help.js'
import { RUNS_HERE } from '../../src/cli/main.js'
import { BIN } from '../support/faxd-process.js'

const run = promisify(execFile)

async function faxd(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('faxd help', () => {
  it('faxd --help prints every command with an example, and exits 0', async () => {
    const result = await faxd('--help')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    for (const help of Object.values(COMMAND_HELP)) {
      assert.ok(result.stdout.includes(help.usage), `--help shows ${help.usage}`)
      assert.ok(result.stdout.includes(help.example))
    }
    for (const args of [['-h'], ['help'], ['help', '--help']]) {
      assert.ok(asksForHelp(args))
      assert.equal(helpText(args), result.stdout, args.join(' '))
    }
  })

  it("a command's help, asked any way, is that command's alone", async () => {
    const result = await faxd('tokens', 'create', '--help')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /faxd tokens create --user UID/)
    assert.match(result.stdout, /Example:\n {6}faxd tokens create --user/)
    assert.doesNotMatch(result.stdout, /faxd numbers add/)
    for (const args of [
      ['help', 'tokens', 'create'],
      ['tokens', 'create', '--user', 'x', '-h'],
    ]) {
      assert.equal(helpText(args), result.stdout, args.join(' '))
    }
    const group = helpText(['help', 'accounts'])
    assert.match(group, /faxd accounts create/)
    assert.match(group, /faxd accounts set-password/)
    assert.doesNotMatch(group, /faxd render/)
    assert.match(helpText(['render', '--help']), /-o OUT\.tif\|OUT\.pdf/)
    assert.equal(asksForHelp(['tokens', 'create', '--user', 'x']), false)
    // The client commands too, their exit statuses said.
    const send = helpText(['send', 'contract.pdf', '--to', '+15555550100', '--help'])
    assert.match(send, /Exit status: 0 every destination got every page, 3 part of it/)
    assert.match(send, /Example:\n {6}faxd send contract\.pdf/)
    assert.doesNotMatch(send, /faxd status/)
    assert.match(
      helpText(['faxes', 'list', '-h']),
      /faxd faxes list \[--category inbox\|sent\|spam\]/,
    )
  })

  it('help for no command, and no command at all, are usage errors', async () => {
    const unknown = await faxd('help', 'fax')
    assert.equal(unknown.code, 2)
    assert.deepEqual(JSON.parse(unknown.stderr.split('\n')[0]!), {
      error: 'usage',
      description: 'no command is named "fax"',
    })
    // The usage after an error names every command, and the way to ask for help.
    assert.match(unknown.stderr, /faxd tokens create --user UID/)
    assert.match(unknown.stderr, /faxd help \[COMMAND\]/)
    assert.equal(asksForHelp([]), false, 'no command at all is a usage error, not help')
  })
})

describe('command names', () => {
  it('gives no client command the name of one that runs faxd here (those skip the client code)', () => {
    const clientGroups = Object.keys(CLIENT_COMMANDS).map((name) => name.split(' ')[0])
    assert.ok(clientGroups.includes('send'))
    assert.deepEqual(
      clientGroups.filter((group) => RUNS_HERE.has(group ?? '')),
      [],
    )
  })
})
