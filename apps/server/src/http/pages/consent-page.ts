import { escapeHtml, hidden, page } from './html.js';

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in when you are not using it',
};

export function consentPage(input: { csrf: string; authorize: string; clientName: string; username: string; scopes: string[] }): string {
  const items = input.scopes.map((s) => `<li>${escapeHtml(DESCRIPTIONS[s] ?? s)}</li>`).join('\n');
  return page({
    title: 'Allow access',
    body: `<h1>Allow access?</h1>
<p><span class="app">${escapeHtml(input.clientName)}</span> wants to act for <strong>${escapeHtml(input.username)}</strong>:</p>
<ul class="scopes" aria-label="Requested access">
${items || '<li>Basic access</li>'}
</ul>
<form method="post" action="/consent">
${hidden('csrf', input.csrf)}
${hidden('authorize', input.authorize)}
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}
