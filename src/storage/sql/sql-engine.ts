/**
 * Which SQL engine a store runs on. Only the storage layer asks: where the two differ (row locks,
 * group commit), the repositories write the statement for each.
 */
export type SqlEngine = 'sqlite' | 'postgres'
