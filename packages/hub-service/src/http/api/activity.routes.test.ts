import { HubError } from '../../errors';
import { parseTimestamp } from './activity.routes';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');

function failure(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

describe('parseTimestamp', () => {
  it('reads a timestamp with a zone', () => {
    expect(parseTimestamp('2024-05-01T10:00:00Z', 'last_activity', NOW).toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(parseTimestamp('2024-05-01T12:30:00+02:00', 'last_activity', NOW).toISOString()).toBe('2024-05-01T10:30:00.000Z');
  });

  it('reads a zone-less timestamp as UTC (as jupyterhub-singleuser sends it)', () => {
    expect(parseTimestamp('2024-05-01T10:00:00.123456', 'last_activity', NOW).toISOString()).toBe('2024-05-01T10:00:00.123Z');
    expect(parseTimestamp('2024-05-01T10:00:00', 'x', NOW).toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('accepts up to 59 minutes in the future and refuses more', () => {
    expect(parseTimestamp('2024-05-01T12:59:00Z', 'last_activity', NOW).toISOString()).toBe('2024-05-01T12:59:00.000Z');
    const err = failure(() => parseTimestamp('2024-05-01T13:00:01Z', 'servers.gpu.last_activity', NOW));
    expect(err.code).toBe('validation_failed');
    expect(err.status).toBe(400);
    expect(err.message).toContain('servers.gpu.last_activity');
    expect(err.message).toContain('future');
  });

  it('reads a date-only value and a space separator', () => {
    expect(parseTimestamp('2024-05-01', 'x', NOW).toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(parseTimestamp('2024-05-01 06:00:00-05:00', 'x', NOW).toISOString()).toBe('2024-05-01T11:00:00.000Z');
  });

  it.each([
    ['yesterday'],
    [''],
    [42],
    [null],
    [{}],
    ['2024-13-45T99:00:00'],
    ['x'.repeat(65)],
    ['1'],
    ['2024'],
    ['May 1 2024'],
    ['Wed, 01 May 2024 10:00:00 GMT'],
    ['2024-05-01T10:00:00Z trailing'],
  ])('refuses %p naming the field', (value) => {
    const err = failure(() => parseTimestamp(value, 'last_activity', NOW));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toContain('last_activity');
  });
});
