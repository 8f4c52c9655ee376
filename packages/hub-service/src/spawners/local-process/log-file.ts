/**
 * The log file a local server writes its stdout and stderr to. The child gets a file descriptor,
 * not a pipe, so it keeps running (and logging) when the hub exits.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** How many bytes at most {@link readLogTail} reads. */
const TAIL_BYTES = 8192;

/** A log file opened for appending, positioned at the end of what earlier starts wrote. */
export interface OpenLog {
  readonly file: FileHandle;
  /** Size of the file before this start: where this start's output begins. */
  readonly startOffset: number;
}

/** Opens (creating with mode 0600) `logPath` for appending and writes a header line. */
export async function openLog(logPath: string, header: string): Promise<OpenLog> {
  const file = await open(logPath, 'a', 0o600);
  try {
    const { size } = await file.stat();
    await file.write(`${header}\n`);
    return { file, startOffset: size };
  } catch (error: unknown) {
    await file.close();
    throw error;
  }
}

/**
 * The last `maxLines` lines written to `logPath` after `fromOffset` (at most the last 8 KiB);
 * an empty string when the file cannot be read.
 */
export async function readLogTail(logPath: string, fromOffset: number, maxLines: number): Promise<string> {
  let file: FileHandle | undefined;
  try {
    file = await open(logPath, 'r');
    const { size } = await file.stat();
    const start = Math.max(fromOffset, size - TAIL_BYTES);
    const length = Math.max(0, size - start);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, start);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
    return lines.slice(-maxLines).join('\n');
  } catch {
    return '';
  } finally {
    await file?.close();
  }
}
