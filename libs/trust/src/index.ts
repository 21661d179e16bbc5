export { TrustError, type TrustErrorCode } from './trust-error';
export {
  generateSigningKeyPair,
  keyIdOf,
  loadPublicKey,
  loadSigningKey,
  publicKeyFromRaw,
  rawPublicKey,
  sha256Hex,
  sign,
  signerOf,
  verify,
  type Signer,
  type SigningKeyPair,
} from './signing-keys';
export { PublicKeyRing, type PublicKeyDirectory } from './public-key-ring';
export {
  openEnvelope,
  openReceipt,
  sealEnvelope,
  sealReceipt,
  type OpenedEnvelope,
  type OpenedReceipt,
  type OpenOptions,
} from './sealed-messages';
export {
  appendLogEntry,
  computeEntryHash,
  GENESIS_HASH,
  LOG_HASH_VERSION,
  readLog,
  verifyLog,
  type AppendedLogEntry,
  type HashedLogFields,
  type LogBreak,
  type LogDirection,
  type LogEntry,
  type LogEntryInput,
  type LogStatus,
  type LogVerification,
  type ReadLogOptions,
  type VerifyLogOptions,
} from './message-log';
export { TRUST_MIGRATIONS_DIR, TRUST_MIGRATIONS_TABLE } from './migrations';
export {
  exchangeIdentity,
  loadRegionSigningKeys,
  regionKeyFiles,
  type RegionKeyFiles,
} from './region-keys';
export {
  clientCredentials,
  identifyPartner,
  isIssuedBy,
  loadCertificate,
  peerIdentity,
  serverCredentials,
  type CallWithAuthContext,
  type ClientTlsOptions,
  type PartnerChannel,
  type PeerIdentity,
  type ServerTlsOptions,
  type TlsPartner,
} from './tls';
