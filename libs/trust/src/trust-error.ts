/**
 * Why a signed message, a key or a TLS file was refused. The `EXCHANGE.*` codes travel to the
 * partner inside a signed receipt (`Receipt.error_code`), so they are part of the wire contract:
 * never rename one, only add.
 */
export type TrustErrorCode =
  /** The bytes are not an Envelope / Receipt, or one of its identifying fields is empty. */
  | 'EXCHANGE.MALFORMED'
  /** The claimed signer region has no published keys here: not a partner. */
  | 'EXCHANGE.UNKNOWN_SENDER'
  /** The signer region is known, but not the key id it names (not yet fetched, or retired). */
  | 'EXCHANGE.UNKNOWN_KEY'
  /** The signature does not verify over the exact bytes received. */
  | 'EXCHANGE.BAD_SIGNATURE'
  /** Correctly signed, but addressed to another region (a replay from a third party). */
  | 'EXCHANGE.WRONG_RECIPIENT'
  /** A key file is missing, unreadable, or not the kind of key expected. */
  | 'TRUST.BAD_KEY'
  /** A certificate or CA file needed for mutual TLS is missing or unusable. */
  | 'TRUST.BAD_TLS_MATERIAL';

export class TrustError extends Error {
  constructor(
    readonly code: TrustErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrustError';
  }
}
