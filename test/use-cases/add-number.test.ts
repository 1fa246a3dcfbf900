/**
 * `faxd numbers add` as an operator writes it (issue 14, point 4): a number as people write it,
 * `+1 555 555 0100` or `(555) 555-0100` with its country's calling code, is stored in the same
 * E.164 form the API takes; an owner that does not exist is said to not exist (it was "must be
 * an individual or corporate_admin account"); what is not a number says how to write one.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseWrittenNumber } from '../../src/domain/fax-number.js'
import { systemClock } from '../../src/shared/clock.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { openTestStore, type TestStore } from '../support/test-database.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'

describe('parseWrittenNumber', () => {
  const cases: [string, string | undefined, string | null][] = [
    ['+15555550100', undefined, '+15555550100'],
    ['+1 555 555 0100', undefined, '+15555550100'],
    ['+1 (555) 555-0100', undefined, '+15555550100'],
    ['+44 20.7946.0018', undefined, '+442079460018'],
    ['0044 20 7946 0018', undefined, '+442079460018'],
    ['(555) 555-0100', '1', '+15555550100'],
    ['020 7946 0018', '44', '+442079460018'],
    ['15555550100', undefined, '+15555550100'],
    ['+1 555 555 0100 ext 2', undefined, null],
    ['555-0100', undefined, null],
    ['(555) 555-0100', '0', null],
    ['(555) 555-0100', '1234', null],
    ['', undefined, null],
  ]
  for (const [written, country, e164] of cases) {
    it(`${JSON.stringify(written)}${country === undefined ? '' : ` in +${country}`} → ${e164}`, () => {
      assert.equal(parseWrittenNumber(written, country), e164)
    })
  }
})

describe('addNumber, as faxd numbers add calls it', () => {
  let world: TestStore
  let ownerUid: string
  const services = () => ({ store: world.store, clock: systemClock, passwords: TEST_PASSWORDS })

  before(async () => {
    world = await openTestStore('sqlite')
    const owner = await createAccount(services(), {
      email: 'owner@example.test',
      type: 'individual',
      adminUid: null,
      password: null,
    })
    ownerUid = owner.uid
  })
  after(async () => world.cleanup())

  it('stores a number written with spaces, or nationally with its country, in E.164', async () => {
    const spaced = await addNumber(services(), {
      number: '+1 555 555 0150',
      ownerUid,
      assignTo: [],
    })
    assert.equal(spaced.number, '+15555550150')
    const national = await addNumber(services(), {
      number: '(555) 555-0151',
      ownerUid,
      assignTo: [],
      callingCode: '1',
    })
    assert.equal(national.number, '+15555550151')
    const listed = await world.store.numbers.listOwnedBy(ownerUid)
    assert.deepEqual(listed.map((n) => n.number).sort(), ['+15555550150', '+15555550151'])
  })

  it('says an owner that does not exist does not exist', async () => {
    await assert.rejects(
      addNumber(services(), { number: '+15555550152', ownerUid: 'nobody', assignTo: [] }),
      {
        code: 'invalid_request',
        message:
          'no account has the uid "nobody" (--owner); `faxd accounts create` makes one and prints its uid',
      },
    )
  })

  it('says how to write a number when it is not one', async () => {
    await assert.rejects(
      addNumber(services(), { number: '555-0100', ownerUid, assignTo: [] }),
      (error: Error) => {
        assert.match(error.message, /^"555-0100" is not a fax number: write it in E\.164 form/)
        assert.match(error.message, /e\.g\. \+1 555 555 0100/)
        return true
      },
    )
  })
})
