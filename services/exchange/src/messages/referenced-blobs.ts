import type { Envelope } from '@tongban/contracts/tongban/exchange/v1/exchange';

/** A blob an envelope names by content hash, as the envelope announces it. */
export interface BlobReference {
  /** What the blob is, for a refusal's message: a material code or a survey checkpoint. */
  label: string;
  sha256: string;
  sizeBytes: number;
  contentType: string;
}

/**
 * Every blob an envelope references — a case's materials, a supplement's materials, survey
 * media — in the order the envelope names them. The sender pushes them before the envelope (see
 * {@link blobsToPush}); the receiver accepts the envelope only when it holds all of them.
 */
export function referencedBlobs(envelope: Envelope): BlobReference[] {
  const materials = [
    ...(envelope.caseTransfer?.case?.materials ?? []),
    ...(envelope.supplement?.materials ?? []),
  ].map((material) => ({
    label: `材料 ${material.code}`,
    sha256: material.sha256,
    sizeBytes: material.sizeBytes,
    contentType: material.contentType,
  }));
  const media = (envelope.surveyEvidence?.media ?? []).map((medium) => ({
    label: `踏勘点 ${medium.checkpoint} 的照片或视频`,
    sha256: medium.sha256,
    sizeBytes: medium.sizeBytes,
    contentType: medium.contentType,
  }));
  return [...materials, ...media];
}

/** The referenced blobs once each: one content named twice is pushed once. */
export function blobsToPush(envelope: Envelope): BlobReference[] {
  const seen = new Set<string>();
  return referencedBlobs(envelope).filter((blob) => {
    if (seen.has(blob.sha256)) return false;
    seen.add(blob.sha256);
    return true;
  });
}
