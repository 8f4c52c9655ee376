import { decodeBool, decodeDate, decodeInt, decodeJsonObject, decodeStringArray, encodeDate } from './values';

describe('value codecs', () => {
  it('decodes both dialects’ shapes', () => {
    expect(decodeInt('9007199254740991')).toBe(9007199254740991);
    expect(decodeInt(7)).toBe(7);
    expect(decodeBool(1)).toBe(true);
    expect(decodeBool(false)).toBe(false);
    const date = new Date('2024-01-01T00:00:00.123Z');
    expect(decodeDate(encodeDate(date))).toEqual(date);
    expect(decodeDate(date)).toEqual(date);
    expect(decodeJsonObject('{"b":1,"a":2}')).toEqual({ b: 1, a: 2 });
    expect(decodeJsonObject({ a: 1 })).toEqual({ a: 1 });
    expect(decodeStringArray('["x","y"]')).toEqual(['x', 'y']);
  });

  it('rejects values of the wrong shape', () => {
    expect(() => decodeInt('12.5')).toThrow(TypeError);
    expect(() => decodeInt('99999999999999999999')).toThrow(TypeError);
    expect(() => decodeBool(2)).toThrow(TypeError);
    expect(() => decodeDate('not a date')).toThrow(TypeError);
    expect(() => decodeJsonObject('[1]')).toThrow(TypeError);
    expect(() => decodeStringArray('[1]')).toThrow(TypeError);
  });
});
