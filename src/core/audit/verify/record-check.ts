// What `trove audit verify` checks on one record alone, apart from its place in the log: id = seq,
// the leaf hash recomputed from the record (RFC 8785) against the one it carries, and its
// inclusion proof against the trusted checkpoint of that tree size. verify-log.ts runs it in
// seq order on this thread, or jsonl-check-workers.ts runs it on worker threads over parts of a
// JSONL file (the roots travel as TrustedRootsJson); either way verify-log.ts then checks the
// order of the records, the roots and the checkpoints.
//
// Inclusion proofs of neighbouring records share all but their lowest nodes, so a proof is
// checked only up to the first node that a proof already verified up to the root holds at the
// same place (same level, same index, same tree size): from there both paths are the same
// nodes, so the rest of the proof must be the same hashes, compared as text. A log of a million
// records then costs one or two hashes a proof instead of twenty, and every proof is still
// checked in full: its own hashes up to the shared node, the same hashes as a verified proof above.
import { leafHashOf, leafHashOfText } from '../seal/canonical-json.js';
import { hashesEqual, hashFromHex, half, isOdd, nodeHash, type Hash } from '../seal/merkle.js';
import { InvalidEvent, type VerifyEvent } from './verify-events.js';

/** The trusted checkpoints, as far as a single record needs them (structured-clone friendly). */
export interface TrustedRootsJson {
  /** size -> [root hex, "name+keyid" of the keys that signed it]. */
  trusted: Array<[number, string, string[]]>;
  /** size -> why its checkpoints were refused. */
  rejected: Array<[number, string]>;
}

/** A record checked on its own. */
export interface CheckedRecord {
  seq: number;
  /** The first problem of the record alone (id, leaf hash, inclusion proof), or null. */
  problem: string | null;
  /** Its leaf hash as recomputed (null when a problem came before it was computed). */
  leaf: Hash | null;
  proven: boolean;
  withoutLeafHash: boolean;
  hasProof: boolean;
  /**
   * A verified proof (its hashes as ProofText's text), where the order checks may need its left
   * siblings: a run of consecutive records proven by the proofs at its ends (leftSiblingsOf).
   */
  proof?: { treeSize: number; hashes: string };
}

/** A line that is not a record with a valid seq: unreadable, the export header, or a bad seq. */
export interface OtherLine {
  other: VerifyEvent;
}

export type CheckedLine = CheckedRecord | OtherLine;

export function isOtherLine(line: CheckedLine): line is OtherLine {
  return 'other' in line;
}

export function asSafeCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The record as it was hashed when stored: without the fields exports add. */
export function storedRecord(record: Record<string, unknown>): Record<string, unknown> {
  const { leaf_hash: _leaf, inclusion_proof: _proof, ...stored } = record;
  return stored;
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** A node of a verified inclusion path: where it is, its hash, and the proof hashes above it. */
interface VerifiedNode {
  index: number;
  hash: Hash;
  /** The proof's hashes as text (ProofText); entries next.. are the hashes above this node. */
  proof: string;
  next: number;
}

/** One hash of a proof as text: `"<64 hex>"` and a comma (none after the last). */
const ENTRY = 67;

/**
 * An inclusion proof as the export writes it, its hashes left as the text between the brackets
 * (`"h0","h1",...`): parsing twenty strings a record was a fifth of JSON.parse's time, and a
 * proof is mostly compared as text with one already verified (see RecordChecker).
 */
export class ProofText {
  constructor(
    readonly tree_size: number,
    readonly leaf_index: number,
    readonly hashes: string,
  ) {}
}

/** The hashes of a parsed proof as ProofText's text, or null when they are not all hex hashes. */
function hashesText(hashes: unknown): string | null {
  if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string' && HEX_HASH.test(h))) return null;
  return hashes.map((h) => `"${h}"`).join(',');
}

const PROOF_MARK = ',"inclusion_proof":{"tree_size":';
const PROOF_INDEX = ',"leaf_index":';
const PROOF_HASHES = ',"hashes":[';

/**
 * A JSONL line whose last member is an inclusion proof written as the export writes it, split
 * into the record's text without it and the proof; null for any other line (it is then parsed
 * whole). JSON.parse of the record refuses a split that was not at the top level.
 */
export function splitProofText(line: string): { record: string; proof: ProofText } | null {
  if (!line.endsWith(']}}')) return null;
  const at = line.lastIndexOf(PROOF_MARK);
  if (at < 0) return null;
  const sizeAt = at + PROOF_MARK.length;
  const indexMark = line.indexOf(PROOF_INDEX, sizeAt);
  const hashesMark = indexMark < 0 ? -1 : line.indexOf(PROOF_HASHES, indexMark);
  if (hashesMark < 0) return null;
  const size = line.slice(sizeAt, indexMark);
  const index = line.slice(indexMark + PROOF_INDEX.length, hashesMark);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !/^(0|[1-9][0-9]{0,15})$/.test(index)) return null;
  const hashes = line.slice(hashesMark + PROOF_HASHES.length, -3);
  if (hashes !== '' && (hashes.length + 1) % ENTRY !== 0) return null;
  for (let j = 0; j < hashes.length; j += ENTRY) {
    if (hashes[j] !== '"' || hashes[j + 65] !== '"' || (j + 66 < hashes.length && hashes[j + 66] !== ',')) return null;
  }
  return { record: `${line.slice(0, at)}}`, proof: new ProofText(Number(size), Number(index), hashes) };
}

const LEAF_MARK = ',"leaf_hash":"';

/**
 * An export line whose record is Trove's stored text, as the export writes it: the record's
 * canonical JSON with `"leaf_hash"` (and perhaps an inclusion proof) appended before its last
 * brace. `stored` is that text given back its brace: what the leaf hash was computed over, when
 * the record was stored as canonical JSON (audit-log.ts).
 */
export class StoredLine {
  constructor(
    readonly stored: string,
    readonly leafHash: string,
    readonly proof: ProofText | null,
    /** The line and its number in the file, for the full check when the fast one does not apply. */
    readonly line: string,
    readonly lineNumber: number,
  ) {}
}

/** The line split as StoredLine, or null when it is not written that way (then it is parsed whole). */
export function splitStoredLine(line: string, lineNumber: number): StoredLine | null {
  const split = splitProofText(line);
  const record = split ? split.record : line;
  const at = record.length - LEAF_MARK.length - 66;
  if (at <= 0 || !record.startsWith(LEAF_MARK, at) || !record.endsWith('"}')) return null;
  const leafHash = record.slice(at + LEAF_MARK.length, -2);
  if (!HEX_HASH.test(leafHash)) return null;
  return new StoredLine(`${record.slice(0, at)}}`, leafHash, split ? split.proof : null, line, lineNumber);
}

// Where seq and id stand in a record as Trove writes it (keys sorted): `…,"event_name":"…","id":N,…`
// and, after `"seq":N`, only members with plain values to the record's end (`"user_agent"`,
// `"uuid"`, `"via"`). No object nested in a record has those members after it, and a string cannot
// hold their unescaped quotes, so the last `,"seq":` followed by plain members to the end is the
// record's own.
const PLAIN = '(?:null|true|false|-?[0-9][0-9.eE+-]*|"(?:[^"\\\\]|\\\\.)*")';
const RECORD_END = new RegExp(`,"seq":([1-9][0-9]{0,15})(?:,"[a-z_]+":${PLAIN})*}$`, 'y');
const EVENT_NAME_AND_ID = /,"event_name":"[a-z0-9_]+","id":([1-9][0-9]{0,15}),"/y;

/** A proof that verified (so well formed), as CheckedRecord keeps it. */
function verifiedProofOf(proof: unknown): CheckedRecord['proof'] {
  if (proof instanceof ProofText) return { treeSize: proof.tree_size, hashes: proof.hashes };
  const { tree_size, hashes } = proof as { tree_size: number; hashes: unknown };
  return { treeSize: tree_size, hashes: hashesText(hashes) ?? '' };
}

/**
 * The left siblings on the path of leaf `index` in its inclusion proof (RFC 9162 §2.1.3.2: a
 * proof hash is a left sibling where the walk combines it on the left), leftmost first: the
 * roots of the perfect subtrees of leaves 0..index-1, i.e. the compact range of the tree of
 * `index` leaves, whatever the tree size. Null when the proof is not as long as the walk.
 */
export function leftSiblingsOf(index: number, treeSize: number, proofText: string): Hash[] | null {
  const length = proofText === '' ? 0 : (proofText.length + 1) / ENTRY;
  const left: Hash[] = [];
  let fn = index;
  let sn = treeSize - 1;
  for (let i = 0; i < length; i++) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      left.push(Buffer.from(proofText.substr(ENTRY * i + 1, 64), 'hex'));
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return left.reverse();
}

export class RecordChecker {
  readonly #roots = new Map<number, { root: Hash; keys: string[] }>();
  readonly #rejected: Map<number, string>;
  /** Per tree size, per level: the node of the last verified path at that level. */
  readonly #verified = new Map<number, Array<VerifiedNode | undefined>>();
  /**
   * Per level, the last interior hash computed and its children: neighbours hash the same pair
   * (leaf 2k with its sibling, then leaf 2k+1 with it), and a hash is a function of its children.
   */
  readonly #lastPair: Array<{ left: Hash; right: Hash; parent: Hash } | undefined> = [];

  #interiorHash(level: number, left: Hash, right: Hash): Hash {
    const last = this.#lastPair[level];
    if (last !== undefined && hashesEqual(last.left, left) && hashesEqual(last.right, right)) return last.parent;
    const parent = nodeHash(left, right);
    this.#lastPair[level] = { left, right, parent };
    return parent;
  }

  constructor(roots: TrustedRootsJson) {
    for (const [size, root, keys] of roots.trusted) this.#roots.set(size, { root: hashFromHex(root), keys });
    this.#rejected = new Map(roots.rejected);
  }

  /**
   * The fast check of a line whose record text is its own canonical JSON (nearly every line of an
   * export of records stored since records are stored that way): when the text hashes to the leaf
   * hash it carries, it is byte for byte the record that leaf commits to, so it need not be parsed
   * and serialized again; its seq and id are read from where they stand in such a text. Null when
   * that does not hold: the line then gets the full check, which also says what is wrong with it.
   */
  checkStored(line: StoredLine): CheckedRecord | null {
    const text = line.stored;
    if (leafHashOfText(text) !== line.leafHash) return null;
    RECORD_END.lastIndex = text.lastIndexOf(',"seq":');
    const end = RECORD_END.exec(text);
    if (end === null) return null;
    EVENT_NAME_AND_ID.lastIndex = text.lastIndexOf(',"event_name":"', RECORD_END.lastIndex);
    const id = EVENT_NAME_AND_ID.exec(text);
    if (id === null || id[1] !== end[1]) return null;
    const seq = Number(end[1]);
    const leaf = Buffer.from(line.leafHash, 'hex');
    const checked: CheckedRecord = { seq, problem: null, leaf, proven: false, withoutLeafHash: false, hasProof: line.proof !== null };
    if (line.proof !== null) {
      checked.problem = this.#inclusionProblem(line.proof, seq, leaf);
      checked.proven = checked.problem === null;
      if (checked.proven) checked.proof = { treeSize: line.proof.tree_size, hashes: line.proof.hashes };
    }
    return checked;
  }

  /**
   * The line's record checked on its own, or the line itself when it is no record with a seq.
   * `textIsCanonical`: the caller found that the record's stored text hashes to its leaf_hash
   * (database rows), so the leaf need not be computed again from the parsed record.
   */
  check(event: VerifyEvent, textIsCanonical = false): CheckedLine {
    if (event instanceof InvalidEvent) return { other: event };
    const seq = asSafeCount(event.seq);
    if (seq === null || seq === 0) return { other: event };
    const hasProof = 'inclusion_proof' in event;
    const checked: CheckedRecord = { seq, problem: null, leaf: null, proven: false, withoutLeafHash: false, hasProof };
    if (event.id !== seq) {
      checked.problem = `id is ${JSON.stringify(event.id)}, but an event's id must equal its seq`;
      return checked;
    }
    const computed = textIsCanonical ? (event.leaf_hash as string) : leafHashOf(storedRecord(event));
    if (event.leaf_hash === null || event.leaf_hash === undefined) {
      checked.withoutLeafHash = true;
    } else if (event.leaf_hash !== computed) {
      checked.problem = `leaf hash mismatch: the record hashes to ${computed}, but its leaf_hash is ${JSON.stringify(event.leaf_hash)} (the record was modified)`;
      return checked;
    }
    checked.leaf = Buffer.from(computed, 'hex'); // our own lowercase hex: no need to check it
    if (event.inclusion_proof !== undefined && event.inclusion_proof !== null) {
      checked.problem = this.#inclusionProblem(event.inclusion_proof, seq, checked.leaf);
      checked.proven = checked.problem === null;
      if (checked.proven) checked.proof = verifiedProofOf(event.inclusion_proof);
    }
    return checked;
  }

  /** Why an inclusion proof does not prove `leaf` at seq, or null when it does. */
  #inclusionProblem(proof: unknown, seq: number, leaf: Hash): string | null {
    if (typeof proof !== 'object' || proof === null) return 'inclusion_proof is not an object';
    const { tree_size, leaf_index, hashes } = proof as Record<string, unknown>;
    const size = asSafeCount(tree_size);
    if (size === null) return `inclusion_proof.tree_size is not a tree size (${JSON.stringify(tree_size)})`;
    if (leaf_index !== seq - 1) return `inclusion_proof.leaf_index is ${JSON.stringify(leaf_index)}, but seq ${seq} is leaf ${seq - 1}`;
    const text = typeof hashes === 'string' && proof instanceof ProofText ? hashes : hashesText(hashes);
    if (text === null) return 'inclusion_proof.hashes must be lowercase hex SHA-256 hashes';
    const checkpoint = this.#roots.get(size);
    if (!checkpoint) {
      const rejected = this.#rejected.get(size);
      return rejected
        ? `inclusion proof against tree size ${size}, whose checkpoint was rejected: ${rejected}`
        : `inclusion proof against tree size ${size}, but there is no trusted checkpoint of that size`;
    }
    const verdict = this.#verifyPath(leaf, seq - 1, size, text, checkpoint.root);
    if (verdict === 'malformed') return 'inclusion_proof.hashes must be lowercase hex SHA-256 hashes';
    if (verdict === 'no') return `the inclusion proof of seq ${seq} does not verify against the checkpoint of tree size ${size} (signed by ${checkpoint.keys.join(', ')})`;
    return null;
  }

  /**
   * RFC 9162 §2.1.3.2 (as merkle.ts verifyInclusion), stopping at the first node that a verified
   * path holds at the same place, whose remaining proof hashes must then be this proof's.
   */
  #verifyPath(leaf: Hash, index: number, treeSize: number, proof: string, root: Hash): 'yes' | 'no' | 'malformed' {
    if (index >= treeSize) return 'no';
    let verified = this.#verified.get(treeSize);
    if (!verified) this.#verified.set(treeSize, (verified = []));
    const path: Array<[level: number, node: VerifiedNode]> = [];
    const length = proof === '' ? 0 : (proof.length + 1) / ENTRY;
    let fn = index;
    let sn = treeSize - 1;
    let level = 0;
    let r = leaf;
    const settle = (): 'yes' => {
      for (const [at, node] of path) verified[at] = node;
      return 'yes';
    };
    for (let i = 0; i < length; i++) {
      const known = verified[level];
      if (known !== undefined && known.index === fn) {
        if (!hashesEqual(known.hash, r)) return 'no';
        // The hashes above: the same as the verified proof's, compared as text.
        return proof.slice(ENTRY * i) === known.proof.slice(ENTRY * known.next) ? settle() : 'no';
      }
      path.push([level, { index: fn, hash: r, proof, next: i }]);
      const hex = proof.substr(ENTRY * i + 1, 64);
      if (!HEX_HASH.test(hex)) return 'malformed';
      const p = Buffer.from(hex, 'hex');
      if (sn === 0) return 'no'; // more proof than tree
      if (isOdd(fn) || fn === sn) {
        r = this.#interiorHash(level, p, r);
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
          level++;
        }
      } else {
        r = this.#interiorHash(level, r, p);
      }
      fn = half(fn);
      sn = half(sn);
      level++;
    }
    if (sn !== 0 || !hashesEqual(r, root)) return 'no';
    path.push([level, { index: fn, hash: r, proof, next: length }]);
    return settle();
  }
}

