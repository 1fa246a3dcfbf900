/** Accounts: corporate members, account information, member details. */
import type { FastifyInstance } from 'fastify'
import type { AccountChanges } from '../../domain/account.js'
import type { Services } from '../../use-cases/context.js'
import { getAccount } from '../../use-cases/get-account.js'
import { getMemberDetails } from '../../use-cases/get-member-details.js'
import { listMembers } from '../../use-cases/list-members.js'
import { updateAccount } from '../../use-cases/update-account.js'
import { updateMemberDetails } from '../../use-cases/update-member-details.js'
import { actorOf } from '../authenticate-request.js'
import { toAccountJson, toMemberDetailJson } from '../wire/account-json.js'
import { pathParams, userIdParam } from './params.js'

interface AccountModification {
  email?: string
  name?: string
  lastname?: string
  phone?: string
  profile_image?: string
  account_data?: Record<string, unknown>
  settings?: Record<string, unknown>
  notifications?: Record<string, unknown>
}

const memberParam = pathParams({ member_user_id: { type: 'string', maxLength: 64 } })

export function registerAccountRoutes(app: FastifyInstance, services: Services): void {
  app.get('/accounts', {
    config: {
      operation: {
        operationId: 'getAccounts',
        summary: 'List the members of your corporate account (admin only)',
        tag: 'Accounts',
        scopes: ['fax:all:read', 'fax:member:read'],
        success: { status: 200, description: 'The members', schema: 'AccountList' },
      },
    },
    handler: async (request) => {
      const members = await listMembers(services, actorOf(request))
      return { members: members.map(toAccountJson) }
    },
  })

  app.get<{ Params: { user_id: string } }>('/accounts/:user_id', {
    schema: { params: pathParams(userIdParam) },
    config: {
      operation: {
        operationId: 'getUser',
        summary: 'Get account information',
        tag: 'Accounts',
        scopes: ['fax:all:read', 'fax:member:read', 'fax:user:read'],
        success: { status: 200, description: 'The account', schema: 'Account' },
      },
    },
    handler: async (request) =>
      toAccountJson(await getAccount(services, actorOf(request), request.params.user_id)),
  })

  app.put<{ Params: { user_id: string }; Body: AccountModification }>('/accounts/:user_id', {
    schema: { params: pathParams(userIdParam), body: { $ref: 'PayloadAccountModification#' } },
    config: {
      operation: {
        operationId: 'updateUser',
        summary: 'Modify account information',
        tag: 'Accounts',
        scopes: ['fax:all:edit', 'fax:member:edit', 'fax:user:edit'],
        success: { status: 200, description: 'Changed; no body' },
      },
    },
    handler: async (request, reply) => {
      const body = request.body
      const changes: AccountChanges = {
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.lastname !== undefined ? { lastname: body.lastname } : {}),
        ...(body.phone !== undefined ? { phone: body.phone } : {}),
        ...(body.profile_image !== undefined ? { profileImage: body.profile_image } : {}),
        ...(body.account_data !== undefined ? { accountData: body.account_data } : {}),
        ...(body.settings !== undefined ? { settings: body.settings } : {}),
        ...(body.notifications !== undefined ? { notifications: body.notifications } : {}),
      }
      await updateAccount(services, actorOf(request), request.params.user_id, changes)
      return reply.status(200).send()
    },
  })

  app.get<{ Params: { member_user_id: string } }>('/accounts/self/member-details/:member_user_id', {
    schema: { params: memberParam },
    config: {
      operation: {
        operationId: 'getMemberDetails',
        summary: "Get a corporate member's quota and role",
        tag: 'Accounts',
        scopes: ['fax:all:read', 'fax:member:read'],
        success: { status: 200, description: 'The member details', schema: 'MemberDetail' },
      },
    },
    handler: async (request) =>
      toMemberDetailJson(
        await getMemberDetails(services, actorOf(request), request.params.member_user_id),
      ),
  })

  app.put<{ Params: { member_user_id: string }; Body: { quota?: number; role?: string } }>(
    '/accounts/self/member-details/:member_user_id',
    {
      schema: { params: memberParam, body: { $ref: 'MemberDetail#' } },
      config: {
        operation: {
          operationId: 'updateMemberDetails',
          summary: "Change a corporate member's quota and role",
          tag: 'Accounts',
          scopes: ['fax:all:edit', 'fax:member:edit'],
          success: { status: 200, description: 'Changed; no body' },
        },
      },
      handler: async (request, reply) => {
        await updateMemberDetails(
          services,
          actorOf(request),
          request.params.member_user_id,
          request.body,
        )
        return reply.status(200).send()
      },
    },
  )
}
