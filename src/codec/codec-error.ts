/**
 * The one error the codec throws. Decoders and the TIFF reader meet hostile bytes, so every
 * failure they report is a CodecError with a short machine-readable code and a message that
 * says where the data went wrong; nothing else escapes from src/codec.
 */

export type CodecErrorCode =
  /** A code word, run or tag value that the standard does not allow. */
  | 'corrupt'
  /** The data stops before the image it declares is complete. */
  | 'truncated'
  /** Valid, but a feature this codec does not implement (tiles, BigTIFF, uncompressed mode…). */
  | 'unsupported'
  /** The image is larger than the configured budget; refused before allocating. */
  | 'too-large'
  /** The caller passed arguments the codec cannot work with. */
  | 'bad-argument'

export class CodecError extends Error {
  override readonly name = 'CodecError'
  readonly code: CodecErrorCode

  constructor(code: CodecErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
