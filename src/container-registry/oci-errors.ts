import { TroveError } from '../core/errors.js';

// The error codes of the OCI distribution spec (§ "Error Codes") with the status each is sent with.
// Handlers throw these; http/registry-errors.ts shapes every error, these and Trove's own, into
// `{"errors":[{"code","message","detail"}]}`.

export const OCI_ERROR_STATUS = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  RANGE_INVALID: 416,
  TOOMANYREQUESTS: 429,
} as const;

export type OciErrorCode = keyof typeof OCI_ERROR_STATUS;

export function isOciErrorCode(code: string): code is OciErrorCode {
  return Object.hasOwn(OCI_ERROR_STATUS, code);
}

export function ociError(code: OciErrorCode, message: string, status: number = OCI_ERROR_STATUS[code]): TroveError {
  return new TroveError(code, status, message);
}
