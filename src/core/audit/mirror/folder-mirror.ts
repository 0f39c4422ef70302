import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../../storage/db/database.js';
import { checkpointsTextChunk, parseCheckpointsText } from '../verify/verify-files.js';
import { parseCheckpoint } from '../seal/checkpoint.js';
import { parseSignedNote } from '../seal/signed-note.js';

// The folder checkpoint mirror (docs/architecture.md#tamper-evidence, TROVE_AUDIT_CHECKPOINT_MIRROR_DIR): every checkpoint
// is appended to <dir>/checkpoints.txt, oldest first, in the text form of a checkpoints file
// (signed notes separated by "---" lines), so that `trove audit verify --checkpoints` reads it
// as it is. The file is only ever appended to (O_APPEND, synced); mount the folder from a place
// the Trove host cannot rewrite (NFS export with append-only rights, a WORM share). What is
// mirrored is the file itself: after a failed write (full disk, unmounted share) the next run
// appends every checkpoint the file does not hold yet, so a failure delays a copy, never loses it.

export const MIRROR_FILE = 'checkpoints.txt';
const BATCH = 500;

export class FolderMirror {
  /** The largest tree size in the file, once read. */
  private mirroredSize: number | null = null;
  private running: Promise<void> | null = null;
  /** The last failed write, until a write succeeds (the integrity panel shows it). */
  private failure: { message: string; at: string } | null = null;

  constructor(
    private readonly db: Db,
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  get file(): string {
    return join(this.dir, MIRROR_FILE);
  }

  /** Appends every checkpoint the file does not hold yet; logs (never throws) on failure. */
  async catchUp(): Promise<void> {
    this.running ??= this.appendMissing()
      .then(() => void (this.failure = null))
      .catch((error) => {
        this.failure = { message: (error as Error).message, at: new Date().toISOString() };
        this.mirroredSize = null; // read the file again next time: a partial write may have landed
        this.log.error({ err: error, dir: this.dir }, 'audit checkpoint mirror: write failed, will retry');
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  /** The largest tree size the file holds (read once, then kept as it is appended to), and the last failure. */
  async state(): Promise<{ treeSize: number | null; failure: { message: string; at: string } | null }> {
    if (this.mirroredSize === null && !this.failure) {
      try {
        this.mirroredSize = await this.readMirroredSize();
      } catch {
        // unreadable now: shown as not read yet; the next write says why
      }
    }
    return { treeSize: this.mirroredSize, failure: this.failure };
  }

  private async appendMissing(): Promise<void> {
    this.mirroredSize ??= await this.readMirroredSize();
    for (;;) {
      const rows = await this.db.selectFrom('audit_checkpoints').select(['tree_size', 'note']).where('tree_size', '>', this.mirroredSize).orderBy('tree_size').limit(BATCH).execute();
      if (rows.length === 0) return;
      const first = this.mirroredSize === 0 && !(await this.hasContent());
      const text = rows.map((row, i) => checkpointsTextChunk(row.note, first && i === 0)).join('');
      await mkdir(this.dir, { recursive: true });
      const handle = await open(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.mirroredSize = Number(rows[rows.length - 1].tree_size);
    }
  }

  private async hasContent(): Promise<boolean> {
    return (await this.readText()).trim() !== '';
  }

  private async readText(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  /** The largest tree size of a readable checkpoint in the file (0 if none). */
  private async readMirroredSize(): Promise<number> {
    let size = 0;
    for (const input of parseCheckpointsText(await this.readText(), this.file)) {
      try {
        size = Math.max(size, parseCheckpoint(parseSignedNote(input.note).text).treeSize);
      } catch {
        // a torn last write: the checkpoints after the last whole one are appended again
      }
    }
    return size;
  }
}
