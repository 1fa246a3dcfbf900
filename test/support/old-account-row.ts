/**
 * An account row as the tables held it before the migrations that tests of migrations run
 * (0001's columns, which later migrations have not changed), written without the row mappers,
 * which know only the newest schema.
 */
export function oldAccountRow(uid: string, email: string, createdAt: number) {
  return {
    uid,
    email,
    account_type: 'individual',
    admin_uid: null,
    status: 'active',
    name: '',
    lastname: '',
    phone: null,
    profile_image: '',
    created_at: createdAt,
    account_data: '{}',
    settings: '{}',
    notifications: null,
    member_quota: null,
    member_role: null,
    password_hash: null,
  }
}
