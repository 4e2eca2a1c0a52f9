// The channel pane: parent messages with their threads, files, and the acting user's ephemerals.
import { h, mrkdwn, renderBlocks } from './blocks.js';

const BOT_ID = 'U0MEDICBOT';

function time(ts) {
  const d = new Date(Number(ts.split('.')[0]) * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function author(userId, users) {
  if (userId === BOT_ID) return { name: 'Medic', bot: true, initial: '✚' };
  const user = users.find((u) => u.id === userId);
  const name = user?.name ?? userId;
  return { name, bot: false, initial: name.slice(0, 1).toUpperCase() };
}

function files(list) {
  return (list ?? []).map((f) =>
    /\.(png|jpe?g|gif|svg)$/i.test(f.name)
      ? h(
          'figure',
          { class: 'file file-image', 'data-file': f.id },
          h('figcaption', {}, f.title || f.name),
          h('img', {
            src: `api/files/${encodeURIComponent(f.id)}`,
            alt: f.title || f.name,
            onerror: (event) =>
              event.target.replaceWith(h('div', { class: 'img-missing' }, `🖼 ${f.name}: the image could not be shown`)),
          }),
        )
      : h('div', { class: 'file' }, `📎 ${f.title || f.name}`),
  );
}

function message(m, ctx, { isReply = false } = {}) {
  const who = author(m.user, ctx.users);
  const rootCause = m.metadata?.event_payload?.root_cause;
  return h(
    'article',
    {
      class: `msg${isReply ? ' reply' : ''}`,
      'data-ts': m.ts,
      'data-root-cause': rootCause,
      'data-testid': rootCause ? 'diagnosis' : undefined,
      'data-verification':
        m.metadata?.event_type === 'medic_verification' ? m.metadata.event_payload?.outcome : undefined,
    },
    h('div', { class: `avatar${who.bot ? ' bot' : ''}` }, who.initial),
    h(
      'div',
      { class: 'msg-body' },
      h(
        'div',
        { class: 'msg-head' },
        h('span', { class: 'msg-author' }, who.name),
        who.bot ? h('span', { class: 'app-badge' }, 'APP') : null,
        h('time', {}, time(m.ts)),
        m.edited ? h('span', { class: 'edited' }, '(edited)') : null,
      ),
      renderBlocks(m.blocks, m.text, { ...ctx, messageTs: m.ts }),
      files(m.files),
    ),
  );
}

function ephemeral(e, ctx) {
  return h(
    'article',
    { class: 'msg ephemeral', 'data-testid': 'ephemeral' },
    h('div', { class: 'avatar bot' }, '✚'),
    h(
      'div',
      { class: 'msg-body' },
      h(
        'div',
        { class: 'msg-head' },
        h('span', { class: 'msg-author' }, 'Medic'),
        h('span', { class: 'app-badge' }, 'APP'),
        h('time', {}, time(e.ts)),
      ),
      h('div', { class: 'only-you' }, '👁 Only visible to you'),
      renderBlocks(e.blocks, e.text, { ...ctx, messageTs: e.ts }),
    ),
  );
}

/**
 * Renders a channel. ctx: { users, currentUser, collapsed: Set<ts>, onToggle(ts), onButton(element, buttonEl, ts) }.
 */
export function renderChannel(channel, ctx) {
  const mine = (channel?.ephemerals ?? []).filter((e) => e.user === ctx.currentUser);
  if (!channel || channel.messages.length === 0) {
    return [
      h(
        'div',
        { class: 'empty' },
        h('div', { class: 'empty-title' }, 'Waiting for alerts…'),
        h('div', {}, mrkdwn('Alertmanager payloads are on their way to `POST /alertmanager`.')),
      ),
      ...mine.map((e) => ephemeral(e, ctx)),
    ];
  }
  const nodes = [];
  for (const parent of channel.messages) {
    const bind = (m) => ({ ...ctx, onButton: (el, btn) => ctx.onButton(el, btn, m.ts) });
    const thread = h('div', { class: 'thread' });
    const replies = parent.replies ?? [];
    const inThread = mine.filter((e) => e.threadTs === parent.ts);
    const collapsed = ctx.collapsed.has(parent.ts);
    if (replies.length > 0 || inThread.length > 0) {
      const causes = new Map();
      for (const r of replies) {
        const code = r.metadata?.event_payload?.root_cause;
        if (code) causes.set(code, (causes.get(code) ?? 0) + 1);
      }
      const label = collapsed
        ? `▸ ${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`
        : `▾ Thread · ${replies.length}`;
      thread.append(
        h(
          'button',
          { class: 'thread-toggle', type: 'button', onclick: () => ctx.onToggle(parent.ts) },
          label,
          collapsed
            ? [...causes].map(([code, n]) => h('span', { class: 'cause-chip' }, n > 1 ? `${code} ×${n}` : code))
            : null,
        ),
      );
      if (!collapsed) {
        for (const r of replies) thread.append(message(r, bind(r), { isReply: true }));
        for (const e of inThread) thread.append(ephemeral(e, ctx));
      }
    }
    nodes.push(
      h('section', { class: 'conversation', 'data-thread': parent.ts }, message(parent, bind(parent)), thread),
    );
  }
  for (const e of mine.filter((x) => !x.threadTs || !channel.messages.some((m) => m.ts === x.threadTs))) {
    nodes.push(ephemeral(e, ctx));
  }
  return nodes;
}

/** Counts for the channel header: threads, diagnoses. */
export function channelStats(channel) {
  if (!channel) return '';
  const all = channel.messages.flatMap((m) => [m, ...(m.replies ?? [])]);
  const diagnoses = all.filter((m) => m.metadata?.event_type === 'medic_diagnosis').length;
  return `${channel.messages.length} threads · ${diagnoses} diagnoses`;
}
