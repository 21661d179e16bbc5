// Content-addressed storage of materials and evidence, shared by intake (stores what the window
// received) and exchange (streams it to the partner, which stores and verifies it again).
export { BlobError } from './blob-error';
export type { BlobErrorCode } from './blob-error';
export { assertBlobAddress, isBlobAddress } from './blob-store';
export type { BlobContent, BlobExpectation, BlobStore, StoredBlob } from './blob-store';
export { FilesystemBlobStore } from './filesystem-blob-store';
