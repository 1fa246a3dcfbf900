/** Path and query parameter schemas shared by several routes. */
export const userIdParam = {
  user_id: {
    type: 'string',
    maxLength: 64,
    description: "'self', or the id of a member of your corporate account",
  },
} as const

export function pathParams<T extends Record<string, unknown>>(properties: T) {
  return { type: 'object', required: Object.keys(properties), properties } as const
}
