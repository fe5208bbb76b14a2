/** The hosted pages' only stylesheet, served from /assets/tessera.css (the CSP allows no inline style). */
export const STYLESHEET = `:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--accent-fg:#fff;--error:#b42318}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--accent:#4493f8;--accent-fg:#0d1117;--error:#ff7b72}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1rem}
.card{width:100%;max-width:24rem;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:2rem}
h1{font-size:1.4rem;margin:0 0 .25rem}
p{margin:.5rem 0 1rem;color:var(--muted)}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:8px}
input[aria-invalid=true]{border-color:var(--error)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--error);margin:.25rem 0 0;font-size:.95rem}
.alert{border:1px solid var(--error);color:var(--error);border-radius:8px;padding:.6rem .8rem;margin:0 0 1rem}
button{width:100%;padding:.65rem;font:inherit;font-weight:600;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border-color:var(--line);margin-top:.5rem}
ul.scopes{padding-left:1.2rem;margin:.5rem 0 1.25rem}
.app{font-weight:600;color:var(--fg)}
code{font-size:1.1rem;letter-spacing:.1em}
`;
