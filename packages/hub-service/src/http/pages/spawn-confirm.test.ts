import { renderSpawnConfirm } from './spawn-confirm';

describe('renderSpawnConfirm', () => {
  const base = { baseHubUrl: '/hub/', user: { name: 'alice' }, xsrf: 'X1' };

  it('asks before starting, with the options and the _xsrf token in a POST form', () => {
    const page = renderSpawnConfirm({ ...base, owner: 'alice', serverName: 'gpu', profile: { slug: 'a100', displayName: '1 × A100' }, action: '/hub/spawn/alice/gpu?next=%2Fuser%2Falice%2Fgpu%2F' });
    expect(page).toContain('<form method="post" action="/hub/spawn/alice/gpu?next=%2Fuser%2Falice%2Fgpu%2F" id="spawn-confirm-form">');
    expect(page).toContain('<input type="hidden" name="_xsrf" value="X1">');
    expect(page).toContain('<input type="hidden" name="profile" value="a100">');
    expect(page).toContain('your server <strong class="mono">gpu</strong> with profile <strong>1 × A100</strong>');
    expect(page).toContain('id="cancel"');
  });

  it('escapes names and profile values taken from the URL', () => {
    const evil = '"><script>alert(1)</script>';
    const page = renderSpawnConfirm({ ...base, owner: evil, serverName: evil, profile: { slug: evil, displayName: evil }, action: '/hub/spawn/x' });
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('sends no profile field for the default profile', () => {
    const page = renderSpawnConfirm({ ...base, owner: 'bob', serverName: '', profile: null, action: '/hub/spawn/bob' });
    expect(page).not.toContain('name="profile"');
    expect(page).toContain('the server of <strong>bob</strong>');
  });
});
