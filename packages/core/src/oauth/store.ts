import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SwitchboardError } from '../errors.js';

export interface StoredTokens {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  issuer?: string;
  /** When we received them (ms since epoch): expiry is obtained_at + expires_in. */
  obtained_at?: number;
  [k: string]: unknown;
}

export interface StoredClient {
  client_id: string;
  client_secret?: string;
  redirect_uris?: string[];
  issuer?: string;
  [k: string]: unknown;
}

/** What we keep per server URL: client registrations and tokens per issuer (authorization server). */
export interface StoreEntry {
  serverUrl: string;
  clients: Record<string, StoredClient>;
  tokens: Record<string, StoredTokens>;
  lastIssuer?: string;
  discovery?: Record<string, unknown>;
  callbackPort?: number;
}

export class LockTimeoutError extends SwitchboardError {
  constructor(file: string, ms: number) {
    super('SB_OAUTH_LOCK', `another switchboard instance held the OAuth lock ${file} for over ${Math.round(ms / 1000)} s; if none is running, delete that file`);
  }
}

const HEARTBEAT_MS = 2_000;
const STALE_MS = 15_000;

/**
 * Token store under the config dir: one JSON file per server URL (mode 0600, dir 0700), written atomically,
 * with a lock file so that several instances run one authorization flow at a time and reuse its tokens.
 */
export class TokenStore {
  readonly file: string;
  readonly lockFile: string;

  constructor(readonly configDir: string, readonly serverUrl: string) {
    const dir = join(configDir, 'oauth');
    const key = createHash('sha256').update(serverUrl).digest('hex').slice(0, 32);
    this.file = join(dir, `${key}.json`);
    this.lockFile = join(dir, `${key}.lock`);
  }

  private ensureDir(): void {
    const dir = join(this.configDir, 'oauth');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  read(): StoreEntry {
    try {
      const e = JSON.parse(readFileSync(this.file, 'utf8')) as StoreEntry;
      if (e.serverUrl === this.serverUrl) return { ...e, clients: e.clients ?? {}, tokens: e.tokens ?? {} };
    } catch {
      /* missing or unreadable: start fresh */
    }
    return { serverUrl: this.serverUrl, clients: {}, tokens: {} };
  }

  update(fn: (e: StoreEntry) => void): StoreEntry {
    this.ensureDir();
    const e = this.read();
    fn(e);
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(e, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    return e;
  }

  /** Runs fn holding the per-server lock; waits (bounded) for another instance to finish first. */
  async withLock<T>(fn: () => Promise<T>, waitMs: number, onWait?: () => void): Promise<T> {
    this.ensureDir();
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600);
        writeFileSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
        closeSync(fd);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (this.stale()) {
          try {
            unlinkSync(this.lockFile);
          } catch {
            /* someone else removed it */
          }
          continue;
        }
        if (Date.now() > deadline) throw new LockTimeoutError(this.lockFile, waitMs);
        if (!told) {
          told = true;
          onWait?.();
        }
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
      }
    }
    const beat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(this.lockFile, now, now);
      } catch {
        /* ignore */
      }
    }, HEARTBEAT_MS);
    beat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(beat);
      try {
        unlinkSync(this.lockFile);
      } catch {
        /* ignore */
      }
    }
  }

  /** A lock is stale when its holder is gone (same host) or it has not been refreshed for a while. */
  private stale(): boolean {
    try {
      const st = statSync(this.lockFile);
      if (Date.now() - st.mtimeMs > STALE_MS) return true;
      const info = JSON.parse(readFileSync(this.lockFile, 'utf8')) as { pid?: number; host?: string };
      if (info.host === hostname() && typeof info.pid === 'number') {
        try {
          process.kill(info.pid, 0);
        } catch (e) {
          return (e as NodeJS.ErrnoException).code === 'ESRCH';
        }
      }
      return false;
    } catch {
      return false; // being written right now, or just removed
    }
  }
}
