/**
 * NumberRepository on SQL: numbers in `numbers`, the users they are assigned to in
 * `number_assignments`. `assignedTo` lists users in uid order. A number is read through the
 * credential cache (credential-cache.ts): sendFax checks its `from` numbers on every request.
 */
import type { Kysely, Selectable } from 'kysely'
import { DomainError } from '../../domain/domain-error.js'
import type { FaxNumber } from '../../domain/fax-number.js'
import type { NumberRepository } from '../../domain/ports.js'
import type { CredentialCache } from './credential-cache.js'
import { numberFromRow, numberToRow } from './number-rows.js'
import type { Database, NumbersTable } from './schema.js'
import { isUniqueViolation } from './unique-violation.js'

export class SqlNumberRepository implements NumberRepository {
  readonly #db: Kysely<Database>
  readonly #cache: CredentialCache

  constructor(db: Kysely<Database>, cache: CredentialCache) {
    this.#db = db
    this.#cache = cache
  }

  async add(number: FaxNumber): Promise<void> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('numbers').values(numberToRow(number)).execute()
        if (number.assignedTo.length > 0) {
          await trx
            .insertInto('number_assignments')
            .values(number.assignedTo.map((uid) => ({ number_id: number.id, uid })))
            .execute()
        }
      })
    } catch (error) {
      if (isUniqueViolation(error, 'numbers', 'number')) {
        throw new DomainError('number_taken', `${number.number} is already registered`, {
          cause: error,
        })
      }
      throw error
    }
  }

  get(number: string): Promise<FaxNumber | null> {
    return this.#cache.get(`number:${number}`, () => this.#read(number), { keepMissing: true })
  }

  async #read(number: string): Promise<FaxNumber | null> {
    const row = await this.#db
      .selectFrom('numbers')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst()
    if (row === undefined) {
      return null
    }
    const assignments = await this.#db
      .selectFrom('number_assignments')
      .select(['number_id', 'uid'])
      .where('number_id', '=', row.id)
      .orderBy('uid')
      .execute()
    return numberFromRow(
      row,
      assignments.map((assignment) => assignment.uid),
    )
  }

  async listOwnedBy(uid: string): Promise<FaxNumber[]> {
    const rows = await this.#db
      .selectFrom('numbers')
      .selectAll()
      .where('owner_uid', '=', uid)
      .orderBy('number')
      .execute()
    const assignments = await this.#db
      .selectFrom('number_assignments')
      .select(['number_id', 'uid'])
      .where('number_id', 'in', (qb) =>
        qb.selectFrom('numbers').select('id').where('owner_uid', '=', uid),
      )
      .orderBy('uid')
      .execute()
    return withAssignments(rows, assignments)
  }

  async listAll(): Promise<FaxNumber[]> {
    const rows = await this.#db.selectFrom('numbers').selectAll().orderBy('number').execute()
    const assignments = await this.#db
      .selectFrom('number_assignments')
      .select(['number_id', 'uid'])
      .orderBy('uid')
      .execute()
    return withAssignments(rows, assignments)
  }

  async listAssignedTo(uid: string): Promise<FaxNumber[]> {
    const rows = await this.#db
      .selectFrom('numbers')
      .selectAll('numbers')
      .innerJoin('number_assignments', 'number_assignments.number_id', 'numbers.id')
      .where('number_assignments.uid', '=', uid)
      .orderBy('numbers.number')
      .execute()
    const assignments = await this.#db
      .selectFrom('number_assignments')
      .select(['number_id', 'uid'])
      .where('number_id', 'in', (qb) =>
        qb.selectFrom('number_assignments').select('number_id').where('uid', '=', uid),
      )
      .orderBy('uid')
      .execute()
    return withAssignments(rows, assignments)
  }

  async assign(numberId: string, uid: string): Promise<void> {
    await this.#db
      .insertInto('number_assignments')
      .values({ number_id: numberId, uid })
      .onConflict((conflict) => conflict.columns(['number_id', 'uid']).doNothing())
      .execute()
  }

  async revoke(numberId: string, uid: string): Promise<void> {
    await this.#db
      .deleteFrom('number_assignments')
      .where('number_id', '=', numberId)
      .where('uid', '=', uid)
      .execute()
  }
}

function withAssignments(
  rows: readonly Selectable<NumbersTable>[],
  assignments: readonly { number_id: string; uid: string }[],
): FaxNumber[] {
  const assignedTo = new Map<string, string[]>()
  for (const { number_id, uid } of assignments) {
    const uids = assignedTo.get(number_id) ?? []
    uids.push(uid)
    assignedTo.set(number_id, uids)
  }
  return rows.map((row) => numberFromRow(row, assignedTo.get(row.id) ?? []))
}
