import { toNumberedPlaceholders } from './placeholders';

describe('toNumberedPlaceholders', () => {
  it('numbers placeholders in order', () => {
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
  });

  it('leaves question marks in strings, identifiers and comments alone', () => {
    const sql = `SELECT '?', 'it''s ?', "col?" FROM t -- why?\nWHERE a = ? /* or ? */ AND b = ?`;
    expect(toNumberedPlaceholders(sql)).toBe(`SELECT '?', 'it''s ?', "col?" FROM t -- why?\nWHERE a = $1 /* or ? */ AND b = $2`);
  });

  it('returns SQL without placeholders unchanged', () => {
    expect(toNumberedPlaceholders("SELECT 1 WHERE x = 'a'")).toBe("SELECT 1 WHERE x = 'a'");
  });
});
