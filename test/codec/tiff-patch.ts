/**
 * Editing our own little-endian TIFF files in place, to craft the damaged and hostile files the
 * reader must refuse: find an IFD entry, overwrite its value or the link to the next IFD.
 */
import assert from 'node:assert/strict'

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Offsets of the IFDs of a little-endian file, following the chain. */
export function ifdOffsets(bytes: Uint8Array): number[] {
  const v = view(bytes)
  const offsets: number[] = []
  for (
    let at = v.getUint32(4, true);
    at !== 0;
    at = v.getUint32(at + 2 + v.getUint16(at, true) * 12, true)
  ) {
    offsets.push(at)
  }
  return offsets
}

/** The offset of the 12-octet entry of `tag` in the IFD at `ifd`. */
export function entryOffset(bytes: Uint8Array, ifd: number, tag: number): number {
  const v = view(bytes)
  const count = v.getUint16(ifd, true)
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12
    if (v.getUint16(at, true) === tag) {
      return at
    }
  }
  assert.fail(`no tag ${tag} in the IFD at ${ifd}`)
}

/** Overwrites the (inline, SHORT or LONG) value of a tag in page `page`'s IFD. */
export function setTag(bytes: Uint8Array, page: number, tag: number, value: number): void {
  const ifd = ifdOffsets(bytes)[page] ?? assert.fail(`no page ${page}`)
  const at = entryOffset(bytes, ifd, tag)
  const v = view(bytes)
  if (v.getUint16(at + 2, true) === 3) {
    v.setUint16(at + 8, value, true)
  } else {
    v.setUint32(at + 8, value, true)
  }
}

/** Overwrites the value count of a tag's entry. */
export function setTagCount(bytes: Uint8Array, page: number, tag: number, count: number): void {
  const ifd = ifdOffsets(bytes)[page] ?? assert.fail(`no page ${page}`)
  view(bytes).setUint32(entryOffset(bytes, ifd, tag) + 4, count, true)
}

/** Points the next-IFD link of page `page` at `offset`. */
export function setNextIfd(bytes: Uint8Array, page: number, offset: number): void {
  const ifd = ifdOffsets(bytes)[page] ?? assert.fail(`no page ${page}`)
  const v = view(bytes)
  v.setUint32(ifd + 2 + v.getUint16(ifd, true) * 12, offset, true)
}
