// The analyst's page: a hash router over views that read the catalog's JSON API.
import { ApiError, currentSession, loadSession, token } from './api.js';
import { errorBox, h, replace } from './dom.js';
import { datasetsView } from './view-datasets.js';
import { datasetView } from './view-dataset.js';
import { partitionView } from './view-partition.js';
import { deadLettersView } from './view-dead-letters.js';
import { replaysView } from './view-replays.js';
import { signInView } from './view-sign-in.js';

const routes = [
  [/^\/?$/, () => datasetsView],
  [/^\/datasets\/([^/]+)$/, () => datasetView],
  [/^\/datasets\/([^/]+)\/partitions\/([^/]+)$/, () => partitionView],
  [/^\/datasets\/([^/]+)\/dead-letters$/, () => deadLettersView],
  [/^\/replays$/, () => replaysView],
];

let generation = 0;

/** Each render gets a generation; a view checks `live()` after awaiting, so a stale one stops. */
async function render() {
  const main = document.getElementById('main');
  const mine = ++generation;
  const live = () => mine === generation;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search] = hash.split('?');
  const query = new URLSearchParams(search ?? '');
  renderSession();
  if (!currentSession()) {
    signInView(main, { onSignedIn: () => render() });
    return;
  }
  for (const [re, view] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    const params = m.slice(1).map(decodeURIComponent);
    try {
      await view()(main, params, query, live);
    } catch (err) {
      if (!live()) return;
      if (err instanceof ApiError && err.status === 401) {
        token.clear();
        await loadSession().catch(() => null);
        render();
        return;
      }
      replace(main, h('h1', {}, 'Something went wrong'), errorBox(err));
    }
    return;
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/' }, 'Back to the datasets')));
}

function renderSession() {
  const box = document.getElementById('session');
  const session = currentSession();
  if (!session) {
    replace(box);
    return;
  }
  replace(box,
    h('span', {}, `Signed in as ${session.subject} (${session.scopes.join(', ') || 'no scopes'})`),
    session.auth_disabled ? null : h('button', {
      type: 'button',
      onclick: () => {
        token.clear();
        loadSession().finally(() => { location.hash = '#/'; render(); });
      },
    }, 'Sign out'));
}

window.addEventListener('hashchange', () => render());
loadSession().then(() => render(), (err) => replace(document.getElementById('main'), h('h1', {}, 'The catalog cannot be reached'), errorBox(err)));
