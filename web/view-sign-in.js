import { loadSession, token } from './api.js';
import { h, replace } from './dom.js';

/** The token is read from the form and put in sessionStorage; the form is never submitted to a URL. */
export function signInView(main, { onSignedIn }) {
  const message = h('p', { id: 'sign-in-message', role: 'alert' });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  const form = h('form', {
    class: 'sign-in',
    // Never a GET: should the handler not run, the token must not end up in a URL.
    method: 'post',
    onsubmit: async (e) => {
      e.preventDefault();
      const value = input.value.trim();
      input.value = '';
      if (!value) return;
      token.set(value);
      try {
        if (await loadSession()) {
          onSignedIn();
          return;
        }
        token.clear();
        message.textContent = 'The catalog did not accept this token.';
      } catch (err) {
        token.clear();
        message.textContent = `Sign-in failed: ${err.message}`;
      }
      input.focus();
    },
  },
  h('label', { for: 'token' }, 'Bearer token'),
  input,
  h('p', { id: 'token-help', class: 'help' }, 'A static token or a JWT with the scope tukang.read (tukang.write to start replays). It is kept in this tab’s session storage only.'),
  h('button', { type: 'submit' }, 'Sign in'),
  message);
  replace(main, h('h1', {}, 'Sign in'), form);
  input.focus();
}
