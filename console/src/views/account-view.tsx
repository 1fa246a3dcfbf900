/** The account signed in, and for a corporate admin the members of its account. */
import type { Api } from '../api.js'
import { usePolling } from '../polling.js'
import type { Account } from '../session.js'

export function AccountView({ api, account }: { api: Api; account: Account }) {
  const admin = account.account_type === 'corporate_admin'
  const members = usePolling(
    async () => (admin ? (await api.json<{ members: Account[] }>('/accounts')).members : []),
    60_000,
    'members',
  )
  const name = [account.name, account.lastname].filter(Boolean).join(' ')
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <dl class="facts">
        <dt>E-mail</dt>
        <dd>{account.email}</dd>
        <dt>Name</dt>
        <dd>{name || '—'}</dd>
        <dt>Type</dt>
        <dd>{account.account_type.replaceAll('_', ' ')}</dd>
      </dl>
      {admin && (
        <>
          <h2>Members</h2>
          {members.error !== null && (
            <p class="error" role="alert">
              {members.error.message}
            </p>
          )}
          {members.data !== null && members.data.length === 0 ? (
            <p class="empty">
              No members yet: an operator adds them (faxd accounts create --admin).
            </p>
          ) : (
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">E-mail</th>
                    <th scope="col">Name</th>
                  </tr>
                </thead>
                <tbody>
                  {(members.data ?? []).map((member) => (
                    <tr key={member.uid}>
                      <td>{member.email}</td>
                      <td>{[member.name, member.lastname].filter(Boolean).join(' ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  )
}
