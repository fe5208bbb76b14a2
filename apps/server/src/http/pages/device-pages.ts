import { escapeHtml, hidden, page } from './html.js';

export function deviceCodePage(input: { csrf: string; userCode?: string; error?: string }): string {
  const invalid = input.error !== undefined;
  return page({
    title: 'Connect a device',
    body: `<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
<form method="post" action="/device">
${hidden('csrf', input.csrf)}
<div class="field">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required maxlength="16" placeholder="XXXX-XXXX" value="${escapeHtml(input.userCode ?? '')}"${invalid ? ' aria-invalid="true" aria-describedby="code-error"' : ''} autofocus>
${invalid ? `<p class="error" id="code-error" role="alert">${escapeHtml(input.error ?? '')}</p>` : ''}
</div>
<button type="submit">Continue</button>
</form>`,
  });
}

export function deviceConfirmPage(input: { csrf: string; userCode: string; clientName: string; username: string; scopes: string[] }): string {
  return page({
    title: 'Allow this device?',
    body: `<h1>Allow this device?</h1>
<p><span class="app">${escapeHtml(input.clientName)}</span> on the device showing <code>${escapeHtml(input.userCode)}</code> wants to act for <strong>${escapeHtml(input.username)}</strong>${input.scopes.length > 0 ? ` (${escapeHtml(input.scopes.join(', '))})` : ''}.</p>
<p>Only allow it if you started this on a device you own.</p>
<form method="post" action="/device/decide">
${hidden('csrf', input.csrf)}
${hidden('user_code', input.userCode)}
<button type="submit" name="decision" value="allow" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}

export function deviceDonePage(approved: boolean): string {
  return page({
    title: approved ? 'Device connected' : 'Device not connected',
    body: approved
      ? '<h1>Device connected</h1>\n<p>You can return to your device; it will continue by itself.</p>'
      : '<h1>Device not connected</h1>\n<p>The device was refused. You can close this window.</p>',
  });
}
