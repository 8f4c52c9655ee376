/**
 * The one stylesheet of the hub pages, served at `{base}hub/static/clusterhub.css`. System fonts
 * only, no external resources; light and dark colour schemes through CSS variables.
 */

/** The CSS text of `clusterhub.css`. */
export const HUB_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f7fa; --surface: #ffffff; --surface-2: #f0f3f7; --border: #d9dee6;
  --text: #1f2933; --muted: #5f6b7a; --accent: #2563a8; --accent-hover: #1d4f88; --accent-text: #ffffff;
  --danger: #b42318; --danger-bg: #fdecea; --ok: #18794e; --ok-bg: #e6f4ec;
  --warn: #92580c; --warn-bg: #fdf3e1; --info-bg: #e8f0fa; --focus: #7aa7e0;
  --radius: 8px; --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161c; --surface: #1a2029; --surface-2: #212935; --border: #323c4a;
    --text: #e4e8ee; --muted: #9aa6b5; --accent: #5b9be0; --accent-hover: #7db0e8; --accent-text: #0b1520;
    --danger: #f0857a; --danger-bg: #3a1c1a; --ok: #5cc492; --ok-bg: #16301f;
    --warn: #e8b25c; --warn-bg: #372a14; --info-bg: #1b2a3d; --focus: #5b9be0;
    --shadow: none;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text); line-height: 1.5; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
}
a { color: var(--accent); }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -9999px; top: 0; }
.skip-link:focus { left: 8px; top: 8px; background: var(--surface); padding: 6px 10px; z-index: 10; }

.site-header { background: var(--surface); border-bottom: 1px solid var(--border); }
.site-header .inner {
  max-width: 1040px; margin: 0 auto; padding: 10px 20px;
  display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap;
}
.brand { font-weight: 700; font-size: 18px; letter-spacing: .2px; color: var(--text); text-decoration: none; }
.brand-mark { display: inline-block; width: 10px; height: 10px; border-radius: 3px; background: var(--accent); margin-right: 8px; }
.site-nav { display: flex; align-items: center; gap: 4px 16px; flex-wrap: wrap; font-size: 14px; }
.site-nav a { text-decoration: none; color: var(--muted); padding: 4px 2px; }
.site-nav a:hover, .site-nav a[aria-current="page"] { color: var(--text); }
.site-nav .who { color: var(--text); font-weight: 600; }

main { max-width: 1040px; margin: 0 auto; padding: 28px 20px 56px; }
main.narrow { max-width: 460px; }
h1 { font-size: 24px; margin: 0 0 16px; font-weight: 650; }
h2 { font-size: 18px; margin: 0 0 12px; font-weight: 650; }
p { margin: 0 0 12px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }

.card {
  background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow); padding: 20px 22px; margin-bottom: 20px;
}
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.card-head h2 { margin: 0; }

.alert { border-radius: var(--radius); padding: 10px 14px; margin: 0 0 16px; border: 1px solid transparent; }
.alert-error { background: var(--danger-bg); color: var(--danger); border-color: color-mix(in srgb, currentColor 40%, transparent); }
.alert-info { background: var(--info-bg); border-color: var(--border); }
.alert-ok { background: var(--ok-bg); color: var(--ok); border-color: color-mix(in srgb, currentColor 40%, transparent); }
.alert-warn { background: var(--warn-bg); color: var(--warn); border-color: color-mix(in srgb, currentColor 40%, transparent); }
.alert p:last-child { margin: 0; }

.badge {
  display: inline-flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600;
  padding: 2px 10px; border-radius: 999px; background: var(--surface-2); color: var(--muted); white-space: nowrap;
}
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge-running { background: var(--ok-bg); color: var(--ok); }
.badge-pending-start, .badge-pending-stop { background: var(--warn-bg); color: var(--warn); }
.badge-failed { background: var(--danger-bg); color: var(--danger); }

.field { margin-bottom: 14px; }
.field label, .label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 4px; }
.hint { font-size: 13px; color: var(--muted); margin-top: 4px; }
input[type="text"], input[type="password"], select {
  width: 100%; font: inherit; color: var(--text); background: var(--surface);
  border: 1px solid var(--border); border-radius: 6px; padding: 0 10px; height: 40px;
}
.field-limit { max-width: 560px; }
input:focus, select:focus { border-color: var(--accent); outline: 2px solid var(--focus); outline-offset: 0; }
.row { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; }
.row > .field { flex: 1 1 200px; margin-bottom: 0; }
.actions { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; margin-top: 16px; }
form.inline { display: inline; margin: 0; }

.btn {
  display: inline-flex; align-items: center; justify-content: center; gap: 6px; font: inherit; font-weight: 600;
  font-size: 14px; line-height: 1.2; padding: 9px 16px; min-height: 40px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border); background: var(--surface); color: var(--text); text-decoration: none; white-space: nowrap;
}
.btn:hover { background: var(--surface-2); color: var(--text); }
.btn-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.btn-primary:hover { background: var(--accent-hover); border-color: var(--accent-hover); color: var(--accent-text); }
.btn-danger { color: var(--danger); border-color: var(--danger); background: transparent; }
.btn-danger:hover { background: var(--danger-bg); color: var(--danger); }
.btn-sm { padding: 5px 10px; min-height: 30px; font-size: 13px; }
.btn-block { width: 100%; }

.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 4px; font-size: 14px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }

.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--border); vertical-align: middle; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
tbody tr:last-child td { border-bottom: 0; }
td.actions-cell { white-space: nowrap; text-align: right; }
td.actions-cell > * + * { margin-left: 6px; }
.empty { color: var(--muted); padding: 12px 0; }

.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { font-family: var(--mono); font-size: 12px; background: var(--surface-2); border-radius: 4px; padding: 1px 6px; }
code, .mono { font-family: var(--mono); font-size: 13px; }
.codebox { display: flex; gap: 8px; align-items: stretch; flex-wrap: wrap; }
.codebox code {
  flex: 1 1 260px; display: block; padding: 9px 12px; background: var(--surface-2); border: 1px solid var(--border);
  border-radius: 6px; word-break: break-all; user-select: all; font-size: 14px; color: var(--text);
}
time { white-space: nowrap; }
td time { font-size: 13px; }
#token-table td:first-child { min-width: 11em; }
#token-table td:nth-child(2) { min-width: 12em; }

.progress { height: 10px; background: var(--surface-2); border-radius: 999px; overflow: hidden; border: 1px solid var(--border); }
.progress-bar { height: 100%; width: 2%; background: var(--accent); transition: width .4s ease; }
.progress-bar.failed { background: var(--danger); }
#progress-status { margin-top: 10px; }
.log { list-style: none; margin: 14px 0 0; padding: 10px 12px; background: var(--surface-2); border-radius: 6px;
  font-family: var(--mono); font-size: 13px; max-height: 320px; overflow-y: auto; }
.log li { padding: 2px 0; }
.log:empty { display: none; }
#progress-failed, #progress-lost { margin: 16px 0 0; }
.alert p + p { margin-top: 10px; }

details summary { cursor: pointer; color: var(--accent); font-size: 14px; }
details[open] summary { margin-bottom: 8px; }
.profile-list td:last-child { white-space: nowrap; }
.scope-list { margin: 0 0 16px; padding-left: 20px; }
.scope-list li { margin-bottom: 8px; }
.scope-list .chip { display: inline-block; margin-top: 2px; }
.token-scopes { margin-top: 14px; }
.token-scopes .scope-list { list-style: none; padding-left: 0; }
label.check { display: flex; gap: 8px; align-items: baseline; font-weight: 400; }
.profile-form select { width: auto; max-width: 14em; display: inline-block; padding: 2px 6px; }
.not-applied { color: var(--warn); margin-top: 4px; }
.admin-servers { list-style: none; padding: 0; margin: 0; }
.log-tail { margin: 14px 0; padding: 10px 12px; background: var(--surface-2); border-radius: 6px; max-height: 60vh; overflow: auto; white-space: pre-wrap; word-break: break-word; font-size: 13px; }
#last-error .mono { white-space: pre-wrap; }
.admin-servers li { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 2px 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.new-server { margin-top: 18px; padding-top: 16px; border-top: 1px solid var(--border); }
.new-server h3 { margin: 0 0 10px; }
.center { text-align: center; }
.center .actions { justify-content: center; }
.big-status { font-size: 56px; font-weight: 700; color: var(--muted); line-height: 1; margin: 8px 0 12px; }

@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: 20px 14px 40px; }
  .card { padding: 16px; }
  .site-header .inner { padding: 10px 14px; }
  h1 { font-size: 21px; }
  .actions .btn { flex: 1 1 auto; }
  .hide-narrow { display: none; }
  td.actions-cell { white-space: normal; }
}
`;
