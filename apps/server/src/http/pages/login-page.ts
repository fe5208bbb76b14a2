import { escapeHtml, hidden, page } from './html.js';

export interface LoginPageInput {
  csrf: string;
  /** The authorization request's query string, carried through the form. */
  authorize?: string;
  /** Device flow: the user code being approved (the form then posts to /device/login). */
  device?: string;
  clientName: string;
  username?: string;
  /** Shown above the form and tied to the fields. */
  error?: string;
}

export function loginPage(input: LoginPageInput): string {
  const invalid = input.error !== undefined;
  const describedBy = invalid ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return page({
    title: 'Sign in',
    body: `<h1>Sign in</h1>
<p>to continue to <span class="app">${escapeHtml(input.clientName)}</span></p>
${invalid ? `<div class="alert" id="login-error" role="alert">${escapeHtml(input.error ?? '')}</div>` : ''}
<form method="post" action="${input.device === undefined ? '/login' : '/device/login'}" novalidate>
${hidden('csrf', input.csrf)}
${input.device === undefined ? hidden('authorize', input.authorize ?? '') : hidden('user_code', input.device)}
<div class="field">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${escapeHtml(input.username ?? '')}"${describedBy}${input.username ? '' : ' autofocus'}>
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024"${describedBy}${input.username ? ' autofocus' : ''}>
</div>
<button type="submit">Sign in</button>
</form>`,
  });
}
