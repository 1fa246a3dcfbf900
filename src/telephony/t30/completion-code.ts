/**
 * How a T.30 call ended, as data: a code for each way it can end and a sentence for a fax record.
 * The codes follow the failure points of T.30's flow charts (T.30 Annex A / Figure 5-2), named the
 * way spandsp's `t30_err_e` groups them: phase B on the sending side, phase D, the receiving side.
 */
export type CompletionCode =
  | 'ok'
  /** Sending: no DIS from the called station within T1. */
  | 'tx-no-dis'
  /** Sending: a command repeated three times got no response. */
  | 'tx-no-response'
  /** Sending: FTT at every rate both stations have. */
  | 'tx-cannot-train'
  /** Sending: the receiver rejected a page (RTN/PIN) more times than the engine retries. */
  | 'tx-page-rejected'
  /** Sending, ECM: a block could not be corrected (EOR sent). */
  | 'tx-ecm-block-failed'
  /** The remote station cannot do what this call needs (receive, a rate, a coding, a width). */
  | 'incompatible'
  /** Receiving: no DCS within T1. */
  | 'rx-no-dcs'
  /** Receiving: no command within T2 after a page or response. */
  | 'rx-no-command'
  /** Receiving: no page data after CFR. */
  | 'rx-no-page'
  /** The remote station sent DCN before the procedure was complete. */
  | 'remote-disconnected'
  /** The call itself went (BYE, socket closed) or was stopped locally. */
  | 'call-dropped'
  /** The remote station broke the procedure (a frame out of place, repeated too often). */
  | 'protocol-error'

const DESCRIPTIONS: Readonly<Record<CompletionCode, string>> = {
  ok: 'OK',
  'tx-no-dis': 'the called station did not identify itself (no DIS)',
  'tx-no-response': 'the receiving fax stopped answering',
  'tx-cannot-train': 'the line would not carry fax data at any rate (failure to train)',
  'tx-page-rejected': 'the receiving fax rejected a page too many times (RTN)',
  'tx-ecm-block-failed': 'a block of a page could not be corrected (ECM)',
  incompatible: 'the two fax machines have no settings in common',
  'rx-no-dcs': 'the calling station did not send its settings (no DCS)',
  'rx-no-command': 'the sending fax stopped sending',
  'rx-no-page': 'no page arrived after training',
  'remote-disconnected': 'the remote fax hung up before the end',
  'call-dropped': 'the call was dropped',
  'protocol-error': 'the remote fax broke the T.30 procedure',
}

export function describeCompletion(code: CompletionCode): string {
  return DESCRIPTIONS[code]
}
