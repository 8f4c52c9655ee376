import { isFinishedState, parseProcIds, parseProcStat, readProcIds, readProcStat } from './proc-stat';

// Fields 3..22 after the command name; 22 (start time) is 123456.
const TAIL = 'S 1 100 100 0 -1 4194560 500 0 0 0 1 2 0 0 20 0 1 0 123456 10000000 300 18446744073709551615';

describe('parseProcStat', () => {
  it('reads the state and the start time (field 22)', () => {
    expect(parseProcStat(`4242 (python3) ${TAIL}`)).toEqual({ state: 'S', startTime: 123456 });
  });

  it('copes with spaces and parentheses in the command name', () => {
    expect(parseProcStat(`4242 (my (odd) cmd) ${TAIL}`)).toEqual({ state: 'S', startTime: 123456 });
  });

  it('throws on malformed text', () => {
    expect(() => parseProcStat('garbage')).toThrow(/malformed/);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow(/malformed/);
  });
});

describe('readProcStat', () => {
  it('reads this process (running) and fails with ENOENT for a pid that does not exist', async () => {
    const self = await readProcStat(process.pid);
    expect(isFinishedState(self.state)).toBe(false);
    expect(self.startTime).toBeGreaterThan(0);
    await expect(readProcStat(2 ** 22 + 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('isFinishedState', () => {
  it('treats zombies and dead processes as finished', () => {
    expect(['Z', 'X'].map(isFinishedState)).toEqual([true, true]);
    expect(['R', 'S', 'D', 'T'].map(isFinishedState)).toEqual([false, false, false, false]);
  });
});

describe('parseProcIds / readProcIds', () => {
  it('reads the parent, process group and session (fields 4-6), whatever the command name holds', () => {
    expect(parseProcIds(`4242 (my (odd) cmd) ${TAIL}`)).toEqual({ ppid: 1, pgrp: 100, session: 100 });
    expect(() => parseProcIds('1 (x) S 1')).toThrow(/malformed/);
  });

  it('reads this process: its parent is process.ppid', async () => {
    const ids = await readProcIds(process.pid);
    expect(ids.ppid).toBe(process.ppid);
    expect(ids.pgrp).toBeGreaterThan(0);
  });
});
