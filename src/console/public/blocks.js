// Block Kit and mrkdwn rendered as DOM (never innerHTML: message text is untrusted).

/** Creates an element: h('div', { class: 'x', onclick }, child, 'text', …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const unescapeSlack = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const EMOJI = {
  rotating_light: '🚨',
  warning: '⚠️',
  white_check_mark: '✅',
  x: '❌',
  fire: '🔥',
  large_green_circle: '🟢',
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  mag: '🔍',
  wrench: '🔧',
  hourglass_flowing_sand: '⏳',
  no_entry: '⛔',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  heavy_check_mark: '✔️',
  lock: '🔒',
  information_source: 'ℹ️',
  stopwatch: '⏱️',
  package: '📦',
  memo: '📝',
  bulb: '💡',
  arrow_right: '➡️',
  green_heart: '💚',
  recycle: '♻️',
  zap: '⚡',
  skull: '💀',
  ok: '🆗',
  hammer_and_wrench: '🛠️',
  floppy_disk: '💾',
  cloud: '☁️',
  globe_with_meridians: '🌐',
  construction: '🚧',
  bell: '🔔',
};

/** Inline mrkdwn: *bold* _italic_ ~strike~ `code`, <url|label>, <@U…>, <!here>, :emoji:. */
function inline(text, users) {
  const out = [];
  // Like Slack, *bold*, _italic_ and ~strike~ only at word boundaries: SIDECAR_OOM_IDENTITY stays as is.
  const re =
    /<([^<>]+)>|`([^`]+)`|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])|:([a-z0-9_+-]+):/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(unescapeSlack(text.slice(last, m.index)));
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.push(link(m[1], users));
    else if (m[2] !== undefined) out.push(h('code', {}, unescapeSlack(m[2])));
    else if (m[3] !== undefined) out.push(h('strong', {}, inline(m[3], users)));
    else if (m[4] !== undefined) out.push(h('em', {}, inline(m[4], users)));
    else if (m[5] !== undefined) out.push(h('del', {}, inline(m[5], users)));
    else out.push(EMOJI[m[6]] ?? m[0]);
  }
  if (last < text.length) out.push(unescapeSlack(text.slice(last)));
  return out;
}

function link(body, users) {
  const [target, label] = body.split('|');
  if (target.startsWith('@')) {
    const user = users.find((u) => u.id === target.slice(1));
    return h('span', { class: 'mention' }, `@${user?.name ?? label ?? target.slice(1)}`);
  }
  if (target.startsWith('!date^')) return h('time', { class: 'slack-date' }, formatSlackDate(target, label));
  if (target.startsWith('!subteam^')) return h('span', { class: 'mention' }, label ?? '@group');
  if (target.startsWith('!')) return h('span', { class: 'mention' }, `@${target.slice(1).split('^')[0]}`);
  if (target.startsWith('#')) return h('span', { class: 'mention' }, `#${label ?? target.slice(1)}`);
  const safe = /^(https?:|mailto:)/.test(target) ? target : '#';
  return h('a', { href: safe, target: '_blank', rel: 'noopener' }, unescapeSlack(label ?? target));
}

/** `<!date^1732521600^{date_short} at {time}|fallback>` in the reader's time zone, as Slack shows it. */
function formatSlackDate(target, fallback) {
  const [, seconds, format = '{date_short} {time}'] = target.split('^');
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return fallback ?? '';
  const minutes = Math.round((d.getTime() - Date.now()) / 60_000);
  const ago = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const tokens = {
    '{date_num}': d.toISOString().slice(0, 10),
    '{date}': d.toLocaleDateString('en', { month: 'long', day: 'numeric', year: 'numeric' }),
    '{date_short}': d.toLocaleDateString('en', { month: 'short', day: 'numeric' }),
    '{date_long}': d.toLocaleDateString('en', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    '{date_pretty}': d.toLocaleDateString('en', { month: 'long', day: 'numeric' }),
    '{date_short_pretty}': d.toLocaleDateString('en', { month: 'short', day: 'numeric' }),
    '{date_long_pretty}': d.toLocaleDateString('en', { weekday: 'long', month: 'long', day: 'numeric' }),
    '{time}': d.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }),
    '{time_secs}': d.toLocaleTimeString('en'),
    '{ago}': Math.abs(minutes) < 60 ? ago.format(minutes, 'minute') : ago.format(Math.round(minutes / 60), 'hour'),
  };
  return format.replace(/\{[a-z_]+\}/g, (t) => tokens[t] ?? t);
}

/** Block-level mrkdwn: ``` fences, > quotes, lines. */
export function mrkdwn(text, users = []) {
  const frag = document.createDocumentFragment();
  const parts = String(text ?? '').split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      frag.append(h('pre', {}, unescapeSlack(part.replace(/^\n/, ''))));
      return;
    }
    // A fence owns the line breaks around it.
    const text = part.replace(i > 0 ? /^\n/ : /^$/, '').replace(i < parts.length - 1 ? /\n$/ : /^$/, '');
    const lines = text.split('\n');
    lines.forEach((line, j) => {
      if (line.startsWith('&gt; ') || line.startsWith('> ')) {
        frag.append(h('blockquote', {}, inline(line.replace(/^(&gt;|>) /, ''), users)));
        return;
      }
      frag.append(...inline(line, users));
      if (j < lines.length - 1) frag.append(h('br'));
    });
  });
  return frag;
}

function textObject(obj, users) {
  if (!obj) return '';
  return obj.type === 'mrkdwn' ? mrkdwn(obj.text, users) : String(obj.text ?? '');
}

function imageSrc(el) {
  if (el.image_url) return el.image_url;
  if (el.slack_file?.id) return `api/files/${encodeURIComponent(el.slack_file.id)}`;
  return '';
}

function button(el, ctx) {
  const style = el.style === 'primary' ? 'btn-primary' : el.style === 'danger' ? 'btn-danger' : '';
  const b = h(
    'button',
    { class: `btn ${style}`, 'data-action-id': el.action_id, 'data-value': el.value ?? '', type: 'button' },
    String(el.text?.text ?? ''),
  );
  if (el.url) {
    b.addEventListener('click', () => window.open(el.url, '_blank', 'noopener'));
    return b;
  }
  b.addEventListener('click', () => ctx.onButton(el, b));
  return b;
}

function element(el, ctx) {
  if (el.type === 'button') return button(el, ctx);
  if (el.type === 'image') return h('img', { class: 'ctx-img', src: imageSrc(el), alt: el.alt_text ?? '' });
  if (el.type === 'mrkdwn' || el.type === 'plain_text') return h('span', {}, textObject(el, ctx.users));
  return h('span', { class: 'unsupported' }, `[${el.type}]`);
}

function richText(block, users) {
  const render = (e) => {
    if (e.type === 'text') {
      const s = e.style ?? {};
      let node = document.createTextNode(e.text);
      if (s.code) node = h('code', {}, node);
      if (s.bold) node = h('strong', {}, node);
      if (s.italic) node = h('em', {}, node);
      return node;
    }
    if (e.type === 'link') return h('a', { href: e.url, target: '_blank', rel: 'noopener' }, e.text ?? e.url);
    if (e.type === 'user') return link(`@${e.user_id}`, users);
    if (e.type === 'emoji') return EMOJI[e.name] ?? `:${e.name}:`;
    if (Array.isArray(e.elements)) {
      const tag =
        { rich_text_preformatted: 'pre', rich_text_quote: 'blockquote', rich_text_list: 'ul' }[e.type] ?? 'div';
      return h(
        tag,
        {},
        e.elements.map((c) => (e.type === 'rich_text_list' ? h('li', {}, render(c)) : render(c))),
      );
    }
    return '';
  };
  return h('div', { class: 'blk blk-rich' }, (block.elements ?? []).map(render));
}

/** One block as DOM. ctx: { users, onButton(element, buttonEl) }. */
export function renderBlock(block, ctx) {
  switch (block.type) {
    case 'header':
      return h('div', { class: 'blk blk-header' }, String(block.text?.text ?? ''));
    case 'divider':
      return h('hr', { class: 'blk blk-divider' });
    case 'context':
      return h(
        'div',
        { class: 'blk blk-context' },
        (block.elements ?? []).map((e) => element(e, ctx)),
      );
    case 'actions':
      return h(
        'div',
        { class: 'blk blk-actions' },
        (block.elements ?? []).map((e) => element(e, ctx)),
      );
    case 'image':
      return h(
        'figure',
        { class: 'blk blk-image' },
        block.title ? h('figcaption', {}, String(block.title.text)) : null,
        h('img', { src: imageSrc(block), alt: block.alt_text ?? '' }),
      );
    case 'section': {
      const body = h(
        'div',
        { class: 'sec-body' },
        block.text ? h('div', { class: 'sec-text' }, textObject(block.text, ctx.users)) : null,
        block.fields
          ? h(
              'div',
              { class: 'sec-fields' },
              block.fields.map((f) => h('div', {}, textObject(f, ctx.users))),
            )
          : null,
      );
      const accessory = block.accessory ? h('div', { class: 'sec-accessory' }, element(block.accessory, ctx)) : null;
      return h('div', { class: 'blk blk-section' }, body, accessory);
    }
    case 'markdown':
      return h('div', { class: 'blk' }, mrkdwn(block.text, ctx.users));
    case 'rich_text':
      return richText(block, ctx.users);
    default:
      return h('div', { class: 'blk unsupported' }, `[${block.type} block]`);
  }
}

export function renderBlocks(blocks, fallbackText, ctx) {
  if (!blocks || blocks.length === 0) return h('div', { class: 'blk' }, mrkdwn(fallbackText ?? '', ctx.users));
  return h(
    'div',
    { class: 'blocks' },
    blocks.map((b) => renderBlock(b, ctx)),
  );
}
