import { encodeSegment, escapeHtml, formatTime, html, raw, safeUrl, SafeHtml } from './html';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '`${alert(1)}`',
  '</title><script>alert(1)</script>',
  '&lt;script&gt;',
];

describe('escapeHtml', () => {
  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });

  it.each(PAYLOADS)('leaves no markup-significant character in %j', (payload) => {
    expect(escapeHtml(payload)).not.toMatch(/[<>"'`]/);
  });

  it('escapes & first so entities are not double-decoded', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('html tagged template', () => {
  it.each(PAYLOADS)('escapes interpolated text in content and attributes: %j', (payload) => {
    const out = html`<p title="${payload}">${payload}</p>`.value;
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out.match(/"/g)).toHaveLength(2);
    expect(out.startsWith('<p title="')).toBe(true);
  });

  it('keeps raw() and nested html unescaped', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<div>${inner}${raw('<hr>')}</div>`.value).toBe('<div><b>&lt;i&gt;</b><hr></div>');
  });

  it('joins arrays and drops null, undefined and booleans', () => {
    expect(html`${['a', html`<br>`, '<', null, undefined, false, true, 3]}`.value).toBe('a<br>&lt;3');
  });

  it('returns SafeHtml whose string form is the HTML', () => {
    const out = html`x`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(String(out)).toBe('x');
  });

  it('does not treat look-alike objects as safe', () => {
    const fake = { value: '<script>' } as unknown as string;
    expect(html`${fake}`.value).toBe('[object Object]');
  });
});

describe('safeUrl', () => {
  it.each(['/user/alice/', 'lab', '?next=/x', 'https://example.org/a', 'http://127.0.0.1:8000/'])('keeps %j', (url) => {
    expect(safeUrl(url)).toBe(url);
  });

  it.each(['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>', '//evil.example/', 'vbscript:x', '/a\\b', 'java\nscript:x'])(
    'neutralises %j',
    (url) => {
      expect(safeUrl(url)).toBe('#');
    },
  );
});

describe('encodeSegment', () => {
  it('percent-encodes like JupyterHub (keeps @ and ~)', () => {
    expect(encodeSegment('a@b.c~d')).toBe('a@b.c~d');
    expect(encodeSegment('a b/c?')).toBe('a%20b%2Fc%3F');
  });
});

describe('formatTime', () => {
  it('formats ISO timestamps in UTC inside <time>', () => {
    expect(formatTime('2026-08-20T13:52:44.123456Z').value).toBe(
      '<time datetime="2026-08-20T13:52:44.123Z">2026-08-20 13:52 UTC</time>',
    );
  });

  it('takes a naive timestamp as UTC', () => {
    expect(formatTime('2026-08-20T13:52:44').value).toContain('2026-08-20 13:52 UTC');
  });

  it('shows the fallback for null and the escaped text for garbage', () => {
    expect(formatTime(null).value).toContain('never');
    expect(formatTime(null, 'unknown').value).toContain('unknown');
    expect(formatTime('<b>').value).toBe('&lt;b&gt;');
  });
});
