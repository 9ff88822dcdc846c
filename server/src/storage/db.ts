import { join } from 'node:path';
import { Level } from 'level';

export type Db = Level<Uint8Array, Uint8Array>;
export type DbBatch = ReturnType<Db['batch']>;

/** One LevelDB per broker, at <dataDir>/log, with binary keys and values (see keys.ts). */
export class Storage {
  private constructor(readonly db: Db) {}

  static async open(dataDir: string): Promise<Storage> {
    const db = new Level<Uint8Array, Uint8Array>(join(dataDir, 'log'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    return new Storage(db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
