/** A Fax.Plus status as people read it, coloured by how it ended. */

const WORDS: Readonly<Record<string, string>> = {
  success: 'Sent',
  partially_sent: 'Partly sent',
  partially_received: 'Partly received',
  submitted: 'Accepted',
  converting: 'Rendering',
  scheduled_for_sending: 'Scheduled',
  sending: 'Sending',
  failed_user_busy: 'Busy',
  failed_no_answer: 'No answer',
  failed_unallocated_number: 'Not a number',
}

export function StatusBadge({ status, incoming = false }: { status: string; incoming?: boolean }) {
  const kind =
    status === 'success'
      ? 'good'
      : status.startsWith('partially')
        ? 'partial'
        : status.startsWith('failed') || status === 'insufficient_credit'
          ? 'bad'
          : 'moving'
  const words =
    status === 'success' && incoming
      ? 'Received'
      : (WORDS[status] ?? (status.startsWith('failed') ? 'Failed' : status.replaceAll('_', ' ')))
  return (
    <span class={`badge ${kind}`} title={status}>
      {words}
    </span>
  )
}
