import { spawn } from 'node:child_process';
import { readProcIds, type ProcIds } from '../../spawners/local-process/proc-stat';
import { findOwner, procIdsReader, type WatchedServer } from './process-owner';

const SERVER: WatchedServer = { key: 'alice/', pid: 100, pgid: 100 };
const OTHER: WatchedServer = { key: 'bob/', pid: 500, pgid: 500 };

/** A process tree: pid → ids. */
const TREE: Readonly<Record<number, ProcIds>> = {
  100: { ppid: 1, pgrp: 100, session: 100 }, // the server
  101: { ppid: 100, pgrp: 100, session: 100 }, // a child in its group
  200: { ppid: 101, pgrp: 200, session: 200 }, // a kernel in a new session (jupyter_client's start_new_session)
  201: { ppid: 200, pgrp: 200, session: 200 }, // a process of that kernel
  300: { ppid: 1, pgrp: 300, session: 300 }, // unrelated
  400: { ppid: 401, pgrp: 400, session: 400 }, // a (corrupt) loop
  401: { ppid: 400, pgrp: 401, session: 401 },
};
const readIds = (pid: number): Promise<ProcIds | null> => Promise.resolve(TREE[pid] ?? null);

describe('findOwner', () => {
  it('finds the server by its own pid, its group, or the parent chain out of a new session', async () => {
    for (const pid of [100, 101, 200, 201]) expect(await findOwner(pid, [OTHER, SERVER], readIds)).toBe(SERVER);
  });

  it('gives no owner to unrelated, vanished or looping processes', async () => {
    for (const pid of [300, 999, 400]) expect(await findOwner(pid, [OTHER, SERVER], readIds)).toBeNull();
    expect(await findOwner(201, [OTHER], readIds)).toBeNull();
  });

  it('reads real /proc: a child started in a new session is found through its parent', async () => {
    // The kernel prints its pid itself, after setsid: its ids are final when the test reads them.
    const server = spawn('sh', ['-c', `setsid sh -c 'echo $$; exec sleep 60' & wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let kernel = 0;
    try {
      kernel = await new Promise<number>((resolve) => server.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
      const pid = server.pid ?? 0;
      // The kernel really is outside the server's group and session: only its parent links them.
      expect(await readProcIds(kernel)).toEqual({ ppid: pid, pgrp: kernel, session: kernel });
      const watched = { key: 'real/', pid, pgid: pid };
      expect(await findOwner(kernel, [watched], procIdsReader())).toBe(watched);
      expect(await findOwner(process.pid, [watched], procIdsReader())).toBeNull();
    } finally {
      if (kernel > 0) process.kill(kernel, 'SIGKILL');
      process.kill(-(server.pid ?? 0), 'SIGKILL');
    }
  });
});
