/** What confined work sees of the host, beside the system's programs and libraries (/usr). */
export interface SandboxView {
  /** Host paths it may read, each at the same place inside; those that do not exist are left out. */
  readonly readOnly: readonly string[]
  /** Host folders it may write, each at the same place inside. They must exist. */
  readonly writable: readonly string[]
  /** Its whole environment: nothing of this process's environment is passed in. */
  readonly env: Readonly<Record<string, string>>
  /** Its working folder: one of the paths above. */
  readonly cwd: string
}
