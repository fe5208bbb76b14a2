import { escapeHtml, hidden, page } from './html.js';

export function errorPage(title: string, message: string): string {
  return page({
    title,
    body: `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p>Close this window and try again from the application.</p>`,
  });
}

export function loggedOutPage(): string {
  return page({ title: 'Signed out', body: '<h1>You are signed out</h1>\n<p>You can close this window.</p>' });
}

export function logoutConfirmPage(input: { csrf: string; params: Record<string, string> }): string {
  const fields = Object.entries(input.params).map(([k, v]) => hidden(k, v)).join('\n');
  return page({
    title: 'Sign out',
    body: `<h1>Sign out?</h1>
<p>You will be signed out of Tessera and the applications using it.</p>
<form method="post" action="/logout">
${hidden('csrf', input.csrf)}
${fields}
<button type="submit" autofocus>Sign out</button>
</form>`,
  });
}
