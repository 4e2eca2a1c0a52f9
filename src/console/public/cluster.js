// The cluster panel and audit log. Values that changed since the last update flash, so a fix is seen landing.
import { h } from './blocks.js';

const HIGHLIGHT_MS = 15_000;
const seen = new Map();

/** A value cell that remembers its value under `key` and, for a while after it changes, shows the old one. */
function val(key, value, cls = '') {
  const text = String(value);
  const now = Date.now();
  let entry = seen.get(key);
  if (!entry) entry = { value: text, was: null, at: 0 };
  else if (entry.value !== text) entry = { value: text, was: entry.value, at: now };
  seen.set(key, entry);
  const recent = entry.was !== null && now - entry.at < HIGHLIGHT_MS;
  return h(
    'span',
    { class: `val ${cls}${recent ? ' changed' : ''}`, 'data-key': key, 'data-value': text },
    recent ? h('span', { class: 'was' }, entry.was) : null,
    text,
  );
}

/** First-seen order, so a workload that heals does not jump away while someone watches it. */
const order = new Map();
/** Workloads that had trouble or changed are shown in full; the others as one line. */
const interesting = new Set();

function facts(id, w, belowHpa) {
  const grace = belowHpa && w.gracePeriodSeconds < 60 ? 'warn' : '';
  return h(
    'div',
    { class: 'wl-facts' },
    h('span', {}, 'replicas ', val(`${id}/replicas`, w.replicas, belowHpa ? 'bad' : '')),
    w.hpa ? h('span', {}, 'HPA ', val(`${id}/hpa`, `${w.hpa.min}–${w.hpa.max}`)) : null,
    h('span', {}, 'grace ', val(`${id}/grace`, `${w.gracePeriodSeconds}s`, grace)),
  );
}

/** Keys of remembered values and order: per cluster, so switching clusters flashes nothing. */
const keyOf = (cluster, id) => (cluster ? `${cluster}:${id}` : id);

function workload(w, cluster) {
  const name = `${w.namespace}/${w.kind}/${w.name}`;
  const id = keyOf(cluster, name);
  const healthy = w.problems.length === 0 && w.ready >= w.replicas;
  const belowHpa = Boolean(w.hpa && w.replicas < w.hpa.min);
  const head = h(
    'div',
    { class: 'wl-head' },
    h('span', { class: 'wl-ns' }, w.namespace),
    h('span', { class: 'wl-name' }, w.name),
    h('span', { class: 'wl-kind' }, w.kind === 'StatefulSet' ? 'sts' : 'deploy'),
    h('span', { class: 'wl-ready' }, val(`${id}/ready`, `${w.ready}/${w.replicas}`), ' ready'),
  );
  const body = [
    facts(id, w, belowHpa),
    h('table', { class: 'containers' }, h('tbody', {}, ...w.containers.map((c) => container(id, c)))),
  ];
  if (!healthy || body.some((el) => el.querySelector('.changed'))) interesting.add(id);
  const problems = w.problems.length
    ? h(
        'ul',
        { class: 'problems' },
        w.problems.map((p) => h('li', {}, p)),
      )
    : null;
  const cls = `wl${healthy ? '' : ' wl-bad'}${interesting.has(id) ? '' : ' wl-compact'}`;
  return h('div', { class: cls, 'data-workload': name }, head, ...body, problems);
}

function container(id, c) {
  const key = `${id}/${c.name}`;
  return h(
    'tr',
    { 'data-container': c.name },
    h('td', { class: 'c-name' }, c.name),
    h('td', {}, h('span', { class: 'label' }, 'limit '), val(`${key}/limit`, c.memoryLimit ?? 'none', 'mem')),
    h(
      'td',
      {},
      h('span', { class: 'label' }, 'preStop '),
      val(`${key}/prestop`, c.preStop ?? 'none', c.preStop ? '' : 'muted'),
    ),
  );
}

export function renderWorkloads(view, cluster = '') {
  const idOf = (w) => keyOf(cluster, `${w.namespace}/${w.kind}/${w.name}`);
  for (const w of view.workloads) {
    const id = idOf(w);
    if (!order.has(id)) order.set(id, order.size);
  }
  const rank = (w) => order.get(idOf(w));
  return [...view.workloads].sort((a, b) => rank(a) - rank(b)).map((w) => workload(w, cluster));
}

export function renderNodes(view, cluster = '') {
  const zones = new Map();
  for (const n of view.nodes) zones.set(n.zone, [...(zones.get(n.zone) ?? []), n]);
  return [...zones.entries()].map(([zone, nodes]) =>
    h(
      'div',
      { class: 'zone' },
      h('div', { class: 'zone-name' }, zone),
      nodes.map((n) =>
        h(
          'div',
          { class: `node${n.unschedulable ? ' cordoned' : ''}${n.ready ? '' : ' notready'}`, 'data-node': n.name },
          h('span', { class: 'dot' }),
          n.name,
          val(
            keyOf(cluster, `node/${n.name}`),
            n.unschedulable ? 'cordoned' : n.ready ? 'Ready' : 'NotReady',
            'node-state',
          ),
        ),
      ),
    ),
  );
}

export function renderAudit(entries, users) {
  if (!entries.length) return [h('div', { class: 'audit-empty' }, 'No approvals yet. Click a button in a thread.')];
  const name = (id) => users.find((u) => u.id === id)?.name ?? id;
  return [
    h(
      'table',
      { class: 'audit-table' },
      h(
        'tbody',
        {},
        entries.map((e) =>
          h(
            'tr',
            { class: `audit-${e.action}`, 'data-outcome': e.outcome },
            h('td', { class: 'a-time' }, new Date(e.at).toLocaleTimeString()),
            h('td', {}, name(e.actor)),
            h('td', {}, h('span', { class: `pill pill-${e.outcome.split(':')[0]}` }, e.outcome)),
            h(
              'td',
              { class: 'a-what' },
              `${e.kind} ${e.target}`,
              e.detail ? h('div', { class: 'a-detail' }, e.detail) : null,
            ),
          ),
        ),
      ),
    ),
  ];
}
