// `trove audit verify` (docs/architecture.md#tamper-evidence): the verifier and its inputs (export files, checkpoint
// files, trusted keys, or the live database).
export { InvalidEvent, verifyAuditLog, type CheckpointInput, type VerifyEvent, type VerifyOptions, type VerifyResult, type VerifySummary } from './verify-log.js';
export {
  CHECKPOINT_SEPARATOR,
  checkpointsTextChunk,
  formatCheckpointsText,
  parseCheckpointsFile,
  parseCheckpointsJson,
  parseCheckpointsText,
  parseJsonlLine,
  parseTrustedKeys,
  readCheckpointsFile,
  readJsonlEvents,
  readTrustedKeysFile,
} from './verify-files.js';
export { checkedDatabaseEvents, databaseCheckpoints, databaseEvents } from './database-source.js';
export { checkJsonlFile } from './check-workers.js';
