/** Why a token exchange was refused: recorded as the `reason` of `oidc_token_exchange_denied`. */
export type OidcRefusalReason =
  | 'malformed'
  | 'issuer_not_trusted'
  | 'issuer_address_refused'
  | 'issuer_unreachable'
  | 'unknown_key'
  | 'unsupported_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'wrong_audience'
  | 'replayed_jti'
  | 'no_matching_publisher'
  | 'ambiguous_publisher';

/**
 * A refused ID token. `issuer` and `subject` are what the token claims (unverified when the
 * refusal is about its signature); the message never contains the token.
 */
export class OidcRefusal extends Error {
  constructor(
    readonly reason: OidcRefusalReason,
    message: string,
    readonly issuer: string | null = null,
    readonly subject: string | null = null,
  ) {
    super(message);
    this.name = 'OidcRefusal';
  }
}
