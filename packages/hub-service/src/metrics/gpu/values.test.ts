import { MIB } from './sample';
import { isMissing, NvidiaSmiParseError, parseCount, parseQuantity, parseTimestamp } from './values';

describe('parseQuantity', () => {
  it('reads numbers with the units nvidia-smi prints, memory in bytes', () => {
    expect(parseQuantity('8977 MiB')).toBe(8977 * MIB);
    expect(parseQuantity('100 %')).toBe(100);
    expect(parseQuantity('109.06 W')).toBe(109.06);
    expect(parseQuantity('375 MHz')).toBe(375);
    expect(parseQuantity('9203', 'MB')).toBe(9203 * MIB);
    expect(parseQuantity('143771', 'MiB')).toBe(143771 * MIB);
  });

  it('reads every placeholder as no value', () => {
    for (const text of ['[N/A]', 'N/A', '[Not Supported]', '[Unknown Error]', '-', '', '  ']) {
      expect(parseQuantity(text)).toBeNull();
      expect(isMissing(text)).toBe(true);
    }
  });

  it('refuses text that is no quantity, or an unknown unit', () => {
    expect(() => parseQuantity('lots')).toThrow(NvidiaSmiParseError);
    expect(() => parseQuantity('12 parsecs')).toThrow(/not a quantity/);
  });
});

describe('parseCount', () => {
  it('reads whole numbers and placeholders, refuses the rest', () => {
    expect(parseCount(' 462 ')).toBe(462);
    expect(parseCount('N/A')).toBeNull();
    expect(() => parseCount('4.5')).toThrow(NvidiaSmiParseError);
  });
});

describe('parseTimestamp', () => {
  it('reads the CSV and the XML styles (as UTC) to the millisecond', () => {
    expect(parseTimestamp('2026/11/30 15:14:08.373')).toBe(Date.UTC(2026, 10, 30, 15, 14, 8, 373));
    expect(parseTimestamp('2026/11/30 15:14:08.5')).toBe(Date.UTC(2026, 10, 30, 15, 14, 8, 500));
    expect(parseTimestamp('Mon Nov 30 15:14:14 2026')).toBe(Date.UTC(2026, 10, 30, 15, 14, 14));
    expect(parseTimestamp('Tue Dec  1 01:02:03 2026')).toBe(Date.UTC(2026, 11, 1, 1, 2, 3));
    expect(parseTimestamp('[N/A]')).toBeNull();
    expect(() => parseTimestamp('yesterday')).toThrow(NvidiaSmiParseError);
  });
});
