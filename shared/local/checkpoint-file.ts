import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { RunSchema, unitId, type Run, type Unit } from '../config.ts';
import { CheckpointSchema, type Checkpoint } from '../contract.ts';

/**
 * A local run's checkpoints, one file per unit and snapshot date under `<out>/_checkpoints/`: what the workflow
 * keeps in its state, kept on disk so an interrupted `npm run collect` (Ctrl-C, a crash, a failed unit) resumes
 * where it stopped when run again for the same date. The run id is kept too: staged parts are named by it.
 */
const FileSchema = z.object({ v: z.literal(1), run: RunSchema, checkpoint: CheckpointSchema });

export class CheckpointFile {
  readonly path: string;
  constructor(out: string, date: string, unit: Unit) {
    this.path = join(out, '_checkpoints', date, `${unitId(unit).replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
  }

  /** The interrupted run's id and checkpoint, or null (none, or one this version cannot read: started afresh). */
  async read(): Promise<{ run: Run; checkpoint: Checkpoint } | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const r = FileSchema.safeParse(JSON.parse(text));
      return r.success ? { run: r.data.run, checkpoint: r.data.checkpoint } : null;
    } catch {
      return null;
    }
  }

  /** Replace the file atomically (a kill mid-write leaves the previous checkpoint), or remove it with null. */
  async write(run: Run, checkpoint: Checkpoint | null): Promise<void> {
    if (checkpoint === null) {
      await rm(this.path, { force: true });
      for (let d = dirname(this.path); d.endsWith('_checkpoints') || d.includes('_checkpoints'); d = dirname(d)) {
        try {
          await rmdir(d);
        } catch {
          break;
        }
      }
      return;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ v: 1, run, checkpoint }));
    await rename(tmp, this.path);
  }
}
