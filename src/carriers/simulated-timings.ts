/**
 * How long each part of a simulated call takes at time scale 1, close to a real Group 3 fax
 * call in the five phases of ITU-T T.30: "A – Call set-up", "B – Pre-message procedure",
 * "C – Message transmission", "D – Post-message procedure", "E – Call release". The carrier scales every part by its time scale.
 */
export const SIMULATED_TIMINGS = {
  /** Phase A on a line that answers: dialling, ringing, the remote machine picks up. */
  answerMs: 4_000,
  /** Dialling until the busy tone (Q.850 cause 17, "user busy"). */
  busyMs: 2_000,
  /** Ringing until the caller gives up (Q.850 cause 19, "no answer from user (user alerted)"). */
  noAnswerMs: 45_000,
  /** Dialling until the network refuses (Q.850 cause 1, "unallocated (unassigned) number"). */
  unallocatedMs: 3_000,
  /** Phase B: CED, DIS, DCS, the training check (TCF) and CFR, at 14 400 bit/s (V.17). */
  trainingMs: 5_000,
  /** Phases C and D of one page (the page, then MPS or EOP and the receiver's MCF). */
  pageMs: { fine: 6_000, superfine: 12_000 },
  /** The same on the slow line, where the modems train down to 7200 bit/s (V.29). */
  slowLinePageMs: { fine: 12_000, superfine: 24_000 },
  /** Phase E: DCN, then on hook. */
  hangUpMs: 1_000,
} as const
