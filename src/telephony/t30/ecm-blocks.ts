/**
 * ECM framing of a coded page (T.4 Annex A, T.30 Annex A), both ends. The sender cuts the page
 * into frames of 256 (or 64) octets, at most 256 frames per partial page (block), each sent as
 * an FCD frame with its number; after each block it sends RCP three times and then PPS, and the
 * receiver answers MCF or PPR with a map of the frames to send again. The receiver collects
 * frames in any order, says which are missing, and hands over a block's data once it has them
 * all, and the page's once its last block is in.
 *
 * Frames are in T.38 wire form (line-signals.ts): the first-sent bit of each octet is its MSB,
 * so the address is ff, the control field 03 shows as c0, FCD's FCF 06 as 60, RCP's 86 as 61,
 * and the frame number, sent LSB first like every T.30 number, is bit-reversed (bit-order.ts).
 * The image octets themselves are the codec's, unchanged.
 */
import { concatOctets } from '../../shared/octets.js'
import { reverseBits } from './bit-order.js'

/** Octets of image data per ECM frame: 256, or 64 (DCS bit 28). */
export type EcmFrameSize = 256 | 64

/** T.4 Annex A: a partial page holds frames numbered 0 … 255. */
export const MAX_FRAMES_PER_BLOCK = 256

/** Octets of the frame map in a PPR: one bit per possible frame of a block. */
export const PPR_MAP_OCTETS = MAX_FRAMES_PER_BLOCK / 8

/** The address field of every T.30 frame, and the non-final control field 03, in wire form. */
const ADDRESS = 0xff
const CONTROL_NON_FINAL = 0xc0
const CONTROL_FINAL = 0xc8
/** FCD, facsimile coded data: T.30 FCF 0000 0110 (spandsp T4_FCD 0x06), in wire form. */
export const FCD_FCF = 0x60
/** RCP, return to control for partial page: T.30 FCF 1000 0110 (spandsp T4_RCP 0x86). */
export const RCP_FCF = 0x61

/** One partial page: its frames' image data, each exactly the frame size. */
export interface EcmBlock {
  readonly frames: readonly Uint8Array[]
}

/**
 * Cuts a coded page into partial pages: frames of `frameSize` octets, up to 256 per block, so a
 * block carries up to 64 KiB at 256. The page's last frame is padded with zeros to full size,
 * "as most receivers expect that" (spandsp `get_partial_ecm_page`); a page that ends on a frame
 * boundary gets no extra frame. An empty page still gives one block of one zero frame, so
 * every page has a block for its PPS to close (a PPS counts 1 to 256 frames).
 */
export function ecmPartialPages(data: Uint8Array, frameSize: EcmFrameSize): EcmBlock[] {
  if (frameSize !== 256 && frameSize !== 64) {
    throw new RangeError(`an ECM frame carries 256 or 64 octets, not ${String(frameSize)}`)
  }
  const frameCount = Math.max(1, Math.ceil(data.length / frameSize))
  const blocks: EcmBlock[] = []
  for (let first = 0; first < frameCount; first += MAX_FRAMES_PER_BLOCK) {
    const frames: Uint8Array[] = []
    const end = Math.min(frameCount, first + MAX_FRAMES_PER_BLOCK)
    for (let n = first; n < end; n++) {
      const frame = new Uint8Array(frameSize)
      frame.set(data.subarray(n * frameSize, (n + 1) * frameSize))
      frames.push(frame)
    }
    blocks.push({ frames })
  }
  return blocks
}

/** An FCD frame in wire form: `ff c0 60 <frame number, bit-reversed> <data>`. */
export function fcdFrame(frameNumber: number, data: Uint8Array): Uint8Array {
  if (!Number.isInteger(frameNumber) || frameNumber < 0 || frameNumber >= MAX_FRAMES_PER_BLOCK) {
    throw new RangeError(`an ECM frame number is 0 to 255, not ${frameNumber}`)
  }
  const frame = new Uint8Array(4 + data.length)
  frame[0] = ADDRESS
  frame[1] = CONTROL_NON_FINAL
  frame[2] = FCD_FCF
  frame[3] = reverseBits(frameNumber)
  frame.set(data, 4)
  return frame
}

/** The RCP frame in wire form, `ff c0 61`; the sender sends it three times after a block. */
export function rcpFrame(): Uint8Array {
  return Uint8Array.of(ADDRESS, CONTROL_NON_FINAL, RCP_FCF)
}

/**
 * The frame number and image data of an FCD frame in wire form, or null when the frame is not
 * FCD. The control field may be either 03 or 13: spandsp accepts RCP "with or without the final
 * frame tag", and so do we for both.
 */
export function parseFcdFrame(frame: Uint8Array): { frameNumber: number; data: Uint8Array } | null {
  if (frame.length < 4 || !isEcmFrame(frame, FCD_FCF)) {
    return null
  }
  return { frameNumber: reverseBits(frame[3] ?? 0), data: frame.subarray(4) }
}

/** True for an RCP frame in wire form. */
export function isRcpFrame(frame: Uint8Array): boolean {
  return frame.length >= 3 && isEcmFrame(frame, RCP_FCF)
}

function isEcmFrame(frame: Uint8Array, fcf: number): boolean {
  const control = frame[1]
  return (
    frame[0] === ADDRESS &&
    (control === CONTROL_NON_FINAL || control === CONTROL_FINAL) &&
    frame[2] === fcf
  )
}

/**
 * A PPR frame map in wire form with the bits of these frames set. T.30 Annex A: frame n is bit n
 * of the 256-bit map, counting from the first bit sent, so octet n >> 3 and, first-sent bit
 * being the MSB on the wire, mask 0x80 >> (n & 7). (spandsp, LSB first inside, sets
 * `1 << (n % 8)` and reverses the octets at the T.38 edge: the same bits on the line.)
 */
export function ecmFrameMap(frameNumbers: Iterable<number>): Uint8Array {
  const map = new Uint8Array(PPR_MAP_OCTETS)
  for (const n of frameNumbers) {
    if (!Number.isInteger(n) || n < 0 || n >= MAX_FRAMES_PER_BLOCK) {
      throw new RangeError(`an ECM frame number is 0 to 255, not ${n}`)
    }
    map[n >> 3] = (map[n >> 3] ?? 0) | (0x80 >> (n & 7))
  }
  return map
}

/**
 * The frames a PPR asks for again, in order: the bits set in its map (the 32 octets after the
 * FCF, wire form) among the block's `frameCount` frames. Bits for frames the block does not
 * have are ignored, as spandsp does (its receiver sets them for every frame it lacks, up to
 * 255). A map that is not 32 octets throws RangeError: spandsp ends the call on it
 * (T30_ERR_TX_ECMPHD), so check PPR_MAP_OCTETS first.
 */
export function pprFramesToResend(map: Uint8Array, frameCount: number): number[] {
  if (map.length !== PPR_MAP_OCTETS) {
    throw new RangeError(`a PPR frame map has ${PPR_MAP_OCTETS} octets, not ${map.length}`)
  }
  const frames: number[] = []
  const count = Math.min(frameCount, MAX_FRAMES_PER_BLOCK)
  for (let n = 0; n < count; n++) {
    if (((map[n >> 3] ?? 0) & (0x80 >> (n & 7))) !== 0) {
      frames.push(n)
    }
  }
  return frames
}

/**
 * The receiving end of one partial page: frames arrive in any order, repeated or resent after
 * a PPR; the PPS then says how many there are. A frame is stored if it has at most 256 octets
 * of data (a longer one is dropped and will be asked for again; spandsp does the same), and a
 * later copy replaces an earlier one.
 *
 * Before a block is taken, the lengths are checked as spandsp does (t30.c, where it builds the
 * PPR map): every frame but the last must be as long as the first of them (64 if that one has
 * 64 octets, else 256), because "there are systems, especially T.38 ones, which give bad frame
 * lengths", and a frame asked for again usually comes back right. The last frame may be any
 * length: some senders pad it, some do not.
 */
export class EcmBlockReceiver {
  private readonly frames: (Uint8Array | undefined)[] = Array.from(
    { length: MAX_FRAMES_PER_BLOCK },
    () => undefined,
  )
  private count: number | undefined
  private size: EcmFrameSize = 256

  /**
   * The frame size the DCS chose. Informational: the length check takes its model from the
   * frames, not from the DCS, since senders disagree about DCS bit 28 (brief §1.3).
   */
  get frameSize(): EcmFrameSize {
    return this.size
  }

  /** The number of frames of the block, once a PPS has said it. */
  get frameCount(): number | undefined {
    return this.count
  }

  /** Forgets every frame: a new block begins. */
  start(frameSize: EcmFrameSize = 256): void {
    this.frames.fill(undefined)
    this.count = undefined
    this.size = frameSize
  }

  /**
   * Stores a received frame's data (a copy). Returns false, storing nothing, for a frame number
   * outside 0 … 255 or at or past the block's frame count once known, or data over 256 octets.
   */
  addFrame(frameNumber: number, data: Uint8Array): boolean {
    if (!Number.isInteger(frameNumber) || frameNumber < 0 || frameNumber >= MAX_FRAMES_PER_BLOCK) {
      return false
    }
    if (this.count !== undefined && frameNumber >= this.count) {
      return false
    }
    if (data.length > 256) {
      return false
    }
    this.frames[frameNumber] = data.slice()
    return true
  }

  /** The PPS's frame count (its last octet + 1): 1 to 256. Frames past it are dropped. */
  setFrameCount(frameCount: number): void {
    if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > MAX_FRAMES_PER_BLOCK) {
      throw new RangeError(`a partial page has 1 to 256 frames, not ${frameCount}`)
    }
    this.count = frameCount
    this.frames.fill(undefined, frameCount)
  }

  /**
   * The frames still needed, in order: those not received, or dropped by the length check,
   * among 0 … frameCount − 1. Before the PPS, among 0 … the highest number received.
   */
  missingFrames(): number[] {
    const count = this.count ?? this.highestReceived() + 1
    const expected = this.expectedLength(count)
    const missing: number[] = []
    for (let n = 0; n < count; n++) {
      const frame = this.frames[n]
      if (frame === undefined || (n < count - 1 && frame.length !== expected)) {
        missing.push(n)
      }
    }
    return missing
  }

  /** The PPR frame map (32 octets, wire form) of missingFrames(). */
  missingMap(): Uint8Array {
    return ecmFrameMap(this.missingFrames())
  }

  /** True once the frame count is known and every frame before it is in. */
  complete(): boolean {
    return this.count !== undefined && this.missingFrames().length === 0
  }

  /** The block's image data: frames 0 … frameCount − 1 in order. Throws unless complete(). */
  data(): Uint8Array {
    const count = this.count
    if (count === undefined || !this.complete()) {
      throw new Error(
        `the partial page is not complete: frames ${this.missingFrames().join(', ')} are missing`,
      )
    }
    const frames = this.frames.slice(0, count).map((frame) => frame ?? new Uint8Array(0))
    return concatOctets(frames)
  }

  private highestReceived(): number {
    for (let n = MAX_FRAMES_PER_BLOCK - 1; n >= 0; n--) {
      if (this.frames[n] !== undefined) {
        return n
      }
    }
    return -1
  }

  /** The length of the frames before the last: spandsp's model is the first of them present. */
  private expectedLength(count: number): number {
    for (let n = 0; n < count - 1; n++) {
      const frame = this.frames[n]
      if (frame !== undefined) {
        return frame.length === 64 ? 64 : 256
      }
    }
    return 256
  }
}

/**
 * The receiving end of one ECM page, which may take several partial pages. Feed the frames to
 * `block`; at each PPS set its frame count, and when the block is complete commit it (answer
 * MCF), otherwise answer PPR with `block.missingMap()`. A PPS whose block number is below
 * `committedBlocks` repeats one already committed (its MCF was lost): answer MCF again without
 * committing. After the PPS that ends the page (FCF2 MPS, EOM or EOP), `pageData()` is the page.
 */
export class EcmPageReceiver {
  readonly block = new EcmBlockReceiver()
  private blocks: Uint8Array[] = []

  /** Blocks of this page taken so far. */
  get committedBlocks(): number {
    return this.blocks.length
  }

  /** Forgets everything: a new page begins. */
  startPage(frameSize: EcmFrameSize = this.block.frameSize): void {
    this.blocks = []
    this.block.start(frameSize)
  }

  /** Takes the complete current block into the page and starts the next. */
  commitBlock(): void {
    this.blocks.push(this.block.data())
    this.block.start(this.block.frameSize)
  }

  /** The page's coded data: its committed blocks in order. */
  pageData(): Uint8Array {
    return concatOctets(this.blocks)
  }
}
