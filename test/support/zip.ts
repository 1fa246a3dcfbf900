/**
 * A ZIP archive of stored (uncompressed) entries, for Office documents made in a test: an ODT's
 * `mimetype` must be first and stored (ODF 1.2 part 3, §3.3), and nothing here needs deflate.
 * Layout from the ZIP application note (APPNOTE.TXT 4.3): local headers and data, then the
 * central directory, then its end record.
 */
import { crc32 } from 'node:zlib'

export function zipStored(entries: readonly { name: string; data: string | Uint8Array }[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0) // local file header signature
    local.writeUInt16LE(20, 4) // version needed to extract: 2.0
    local.writeUInt16LE(0x0800, 6) // flags: names in UTF-8
    local.writeUInt16LE(0, 8) // method: stored
    local.writeUInt32LE(0, 10) // time and date: 1980-00-00 00:00
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18) // compressed size
    local.writeUInt32LE(data.length, 22) // uncompressed size
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28) // extra field length
    locals.push(local, name, Buffer.from(data))

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0) // central directory header signature
    central.writeUInt16LE(20, 4) // version made by
    central.writeUInt16LE(20, 6) // version needed
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(0, 10)
    central.writeUInt32LE(0, 12)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(name.length, 28)
    // extra, comment, disk number, internal and external attributes: all zero
    central.writeUInt32LE(offset, 42) // offset of the local header
    centrals.push(central, name)
    offset += local.length + name.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0) // end of central directory signature
  end.writeUInt16LE(entries.length, 8) // entries on this disk
  end.writeUInt16LE(entries.length, 10) // entries in all
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16) // where the directory starts
  return Buffer.concat([...locals, directory, end])
}
