/**
 * A PDF written from its objects' bodies, for tests that need a PDF with a feature no fixture
 * has: object n is `objects[n - 1]`, the catalog is object 1, and the cross-reference table is
 * exact (ISO 32000-1 §7.5). The bodies must be ASCII (text in hexadecimal strings).
 */
export function tinyPdf(objects: readonly string[]): Uint8Array {
  let pdf = '%PDF-1.7\n'
  const offsets = objects.map((body, index) => {
    const offset = pdf.length
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`
    return offset
  })
  const xref = pdf.length
  pdf +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new Uint8Array(Buffer.from(pdf, 'latin1'))
}

/** A content stream object's body. */
export function streamObject(content: string, dictionary = ''): string {
  return `<< ${dictionary} /Length ${content.length} >>\nstream\n${content}\nendstream`
}
