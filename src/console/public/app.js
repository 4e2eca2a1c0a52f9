// The console: live state over server-sent events, the acting user, buttons, confirm dialogs, slash commands.
import { h } from './blocks.js';
import { channelStats, renderChannel } from './channel.js';
import { renderAudit, renderNodes, renderWorkloads } from './cluster.js';

const $ = (id) => document.getElementById(id);
const ui = {
  state: null,
  channel: null,
  user: localStorage.getItem('medic.user'),
  collapsed: new Set(),
  /** The cluster the panel shows, with several (`medic demo --clusters N`). */
  cluster: null,
};

/** The clusters the panel can show: several by name, or the one sandbox cluster. */
function panelClusters() {
  const { state } = ui;
  return state.clusters ?? [{ name: '', view: state.cluster, kubectl: state.hints.kubectl ?? '' }];
}

function renderClusterPanel() {
  const clusters = panelClusters();
  const current = clusters.find((c) => c.name === ui.cluster) ?? clusters[0];
  $('cluster-title').textContent = current.name ? `Cluster ${current.name}` : 'Sandbox cluster';
  $('cluster-tabs').replaceChildren(
    ...(clusters.length > 1
      ? clusters.map((c) =>
          h(
            'button',
            {
              class: `cluster-tab${c === current ? ' active' : ''}`,
              type: 'button',
              'data-cluster': c.name,
              onclick: () => {
                ui.cluster = c.name;
                render();
              },
            },
            c.name,
          ),
        )
      : []),
  );
  $('workloads').replaceChildren(...renderWorkloads(current.view, current.name));
  $('nodes').replaceChildren(...renderNodes(current.view, current.name));
  $('kubectl').textContent = current.kubectl;
}

function toast(text, kind = 'info') {
  const el = $('toast');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

/** Shows a Block Kit confirm object; resolves true when confirmed. */
function confirmDialog(confirm) {
  const dialog = $('confirm');
  $('confirm-title').textContent = confirm.title?.text ?? 'Are you sure?';
  $('confirm-text').textContent = confirm.text?.text ?? '';
  $('confirm-ok').textContent = confirm.confirm?.text ?? 'Confirm';
  $('confirm-deny').textContent = confirm.deny?.text ?? 'Cancel';
  $('confirm-ok').className = `btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

async function onButton(element, buttonEl, messageTs) {
  if (!messageTs) return toast('This button is on an ephemeral message; the simulator cannot click it.', 'error');
  if (element.confirm && !(await confirmDialog(element.confirm))) return;
  buttonEl.disabled = true;
  buttonEl.classList.add('busy');
  try {
    const result = await post('api/click', {
      userId: ui.user,
      channel: ui.channel,
      messageTs,
      actionId: element.action_id,
      value: element.value ?? '',
    });
    if (result.status >= 400) toast(`Medic answered HTTP ${result.status}`, 'error');
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    buttonEl.disabled = false;
    buttonEl.classList.remove('busy');
  }
}

function renderUsers() {
  const select = $('user');
  const users = ui.state.users;
  if (!users.some((u) => u.id === ui.user)) ui.user = users[0]?.id ?? null;
  select.replaceChildren(
    ...users.map((u) =>
      h('option', { value: u.id, selected: u.id === ui.user }, `${u.name}${u.isApprover ? ' · approver' : ''}`),
    ),
  );
  const me = users.find((u) => u.id === ui.user);
  $('user-role').textContent = me?.isApprover
    ? 'Listed in medic.yaml approvers: may approve fixes.'
    : 'Not an approver: Medic will refuse this user’s approvals.';
  $('user-role').dataset.approver = String(Boolean(me?.isApprover));
}

function channelLabel(id) {
  const conv = ui.state.conversations.find((c) => c.id === id);
  return ui.state.channelNames?.[id] ?? conv?.name ?? id;
}

function renderChannels() {
  const convs = ui.state.conversations;
  const ids = [...new Set([ui.state.channel, ...convs.map((c) => c.id)])];
  if (!ids.includes(ui.channel)) ui.channel = ui.state.channel;
  $('channels').replaceChildren(
    ...ids.map((id) => {
      const conv = convs.find((c) => c.id === id);
      const label = channelLabel(id);
      return h(
        'button',
        {
          class: `chan${id === ui.channel ? ' active' : ''}`,
          type: 'button',
          onclick: () => {
            ui.channel = id;
            render();
          },
        },
        `# ${label}`,
        conv?.messages.length ? h('span', { class: 'badge' }, conv.messages.length) : null,
      );
    }),
  );
  return convs.find((c) => c.id === ui.channel);
}

function render() {
  if (!ui.state) return;
  renderUsers();
  const channel = renderChannels();
  $('channel-name').textContent = `# ${channelLabel(ui.channel)}`;
  $('channel-stats').textContent = channelStats(channel);
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const scroll = box.scrollTop;
  box.replaceChildren(
    ...renderChannel(channel, {
      users: ui.state.users,
      currentUser: ui.user,
      collapsed: ui.collapsed,
      onToggle: (ts) => {
        ui.collapsed.has(ts) ? ui.collapsed.delete(ts) : ui.collapsed.add(ts);
        render();
      },
      onButton,
    }),
  );
  box.scrollTop = atBottom && !ui.firstRenderDone ? 0 : scroll;
  ui.firstRenderDone = true;
  renderClusterPanel();
  $('audit').replaceChildren(...renderAudit(ui.state.audit, ui.state.users));
}

function connect() {
  const live = $('live');
  const source = new EventSource('api/events');
  source.addEventListener('state', (event) => {
    ui.state = JSON.parse(event.data);
    document.body.dataset.ready = 'true';
    render();
  });
  source.addEventListener('open', () => {
    live.dataset.state = 'live';
    live.textContent = 'live';
  });
  source.addEventListener('error', () => {
    live.dataset.state = 'down';
    live.textContent = 'reconnecting…';
  });
}

$('user').addEventListener('change', (event) => {
  ui.user = event.target.value;
  localStorage.setItem('medic.user', ui.user);
  render();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('command');
  const line = input.value.trim();
  const match = /^(\/[a-z][a-z0-9_-]*)\s*(.*)$/s.exec(line);
  if (!match) return toast('Type a slash command, e.g. /scale proxy 10 -n prod or /medic help', 'error');
  input.disabled = true;
  try {
    const result = await post('api/command', {
      userId: ui.user,
      channel: ui.channel,
      command: match[1],
      text: match[2],
    });
    if (result.status >= 400) toast(`Medic answered HTTP ${result.status}`, 'error');
    else input.value = '';
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    input.disabled = false;
    input.focus();
  }
});

connect();
