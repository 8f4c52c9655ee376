import { kernelsVerdict } from './kernel-activity';

/** A kernel as Jupyter Server 2 lists it. */
function kernel(state: string): Record<string, unknown> {
  return { id: 'a3c1', name: 'python3', last_activity: '2026-11-30T14:00:00.000000Z', execution_state: state, connections: 0 };
}

describe('kernelsVerdict', () => {
  it('is busy when any kernel runs a cell', () => {
    expect(kernelsVerdict([kernel('idle'), kernel('busy')])).toBe('busy');
  });

  it('is idle with no kernel or only idle, starting or dead ones', () => {
    expect(kernelsVerdict([])).toBe('idle');
    expect(kernelsVerdict([kernel('idle'), kernel('starting'), kernel('dead')])).toBe('idle');
  });

  it('is unknown for anything that is not a kernel list', () => {
    expect(kernelsVerdict({ message: 'Forbidden' })).toBe('unknown');
    expect(kernelsVerdict(null)).toBe('unknown');
    expect(kernelsVerdict([{ id: 'x' }])).toBe('unknown');
    expect(kernelsVerdict(['busy'])).toBe('unknown');
  });
});
