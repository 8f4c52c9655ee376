import { parseExposition, parseSampleValue } from './exposition';

describe('parseExposition (Prometheus text format 0.0.4)', () => {
  it('reads HELP, TYPE, comments, labels with escapes, timestamps and special values', () => {
    const text = [
      '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %) \\n with an escaped newline.',
      '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
      '# a plain comment',
      '',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="A \\"quoted\\" name",path="C:\\\\x",note="two\\nlines",} 37',
      'up 1 1764515000123',
      'temp_celsius{ a = "1" , b="2" }\t-4.5e1',
      'nan_value NaN',
      'inf_value +Inf',
      'neg_inf_value -Inf',
      'windows_line 2\r',
    ].join('\n');
    const { samples, types, problems } = parseExposition(text);
    expect(problems).toEqual([]);
    expect(types.get('DCGM_FI_DEV_GPU_UTIL')).toBe('gauge');
    expect(samples[0]).toEqual({ name: 'DCGM_FI_DEV_GPU_UTIL', labels: { gpu: '0', modelName: 'A "quoted" name', path: 'C:\\x', note: 'two\nlines' }, value: 37, timestampMs: null });
    expect(samples[1]).toEqual({ name: 'up', labels: {}, value: 1, timestampMs: 1764515000123 });
    expect(samples[2]).toEqual({ name: 'temp_celsius', labels: { a: '1', b: '2' }, value: -45, timestampMs: null });
    expect(samples[3]?.value).toBeNaN();
    expect(samples[4]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[5]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(samples[6]).toMatchObject({ name: 'windows_line', value: 2 });
  });

  it('leaves out each line that breaks the format, with its number and why, and keeps the rest', () => {
    const text = [
      'good 1',
      'unclosed{gpu="0" 5',
      'bad_value{gpu="0"} zero',
      'unquoted{gpu=0} 1',
      'bad_escape{a="\\t"} 1',
      'twice{a="1",a="2"} 1',
      '{gpu="0"} 1',
      'no_value{gpu="0"}',
      'extra 1 2 3',
      'bad_timestamp 1 12.5',
      'glued{a="1"}2',
      '# TYPE good gauge',
      '# TYPE good counter',
      '# TYPE other histogramm',
      '# HELP',
      'open_value{a="x} 1',
      'also_good{a="b"} 2',
    ].join('\n');
    const { samples, problems } = parseExposition(text);
    expect(samples.map((s) => s.name)).toEqual(['good', 'also_good']);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16]);
    expect(problems[0]?.message).toBe('expected , or } after label gpu');
    expect(problems[1]?.message).toBe('not a number: "zero"');
    expect(problems[2]?.message).toBe('the value of label gpu is not quoted');
    expect(problems[3]?.message).toBe('bad escape \\t in a label value');
    expect(problems[4]?.message).toBe('label a appears twice');
    expect(problems[5]?.message).toBe('does not start with a metric name');
    expect(problems[6]?.message).toBe('no value for no_value');
    expect(problems[7]?.message).toBe('unexpected "3" after the value');
    expect(problems[8]?.message).toBe('bad timestamp "12.5"');
    expect(problems[9]?.message).toBe('unexpected "2" after the metric name and labels');
    expect(problems[10]?.message).toBe('second # TYPE for good');
    expect(problems[11]?.message).toBe('unknown metric type "histogramm" for other');
    expect(problems[12]?.message).toBe('# HELP without a metric name');
    expect(problems[13]?.message).toBe('a label value is not closed');
  });

  it('finds no samples in text that is not exposition (an HTML error page)', () => {
    const { samples, problems } = parseExposition('<html><body>502 Bad Gateway</body></html>\n');
    expect(samples).toEqual([]);
    expect(problems).toHaveLength(1);
  });

  it('parses values as the format defines them', () => {
    expect(parseSampleValue('0.953871')).toBeCloseTo(0.953871);
    expect(parseSampleValue('1e3')).toBe(1000);
    expect(parseSampleValue('.5')).toBe(0.5);
    expect(parseSampleValue('Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseSampleValue('0x10')).toThrow('not a number');
    expect(() => parseSampleValue('')).toThrow('not a number');
  });
});
