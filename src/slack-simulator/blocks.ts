/**
 * Block Kit validation the way Slack's API does it: a message over a limit is rejected with
 * `invalid_blocks` and a json-pointer per problem, never silently accepted.
 */

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  blockId: 255,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionsElements: 25,
  contextElements: 10,
  markdownText: 12_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageText: 40_000,
} as const;

type Problems = string[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkText(value: unknown, path: string, max: number, problems: Problems, plainOnly = false): void {
  if (!isObj(value) || (value.type !== 'plain_text' && value.type !== 'mrkdwn')) {
    problems.push(`must be a text object [json-pointer:${path}]`);
    return;
  }
  if (plainOnly && value.type !== 'plain_text') problems.push(`must be plain_text [json-pointer:${path}/type]`);
  const text = value.text;
  if (typeof text !== 'string' || text.length === 0) {
    problems.push(`must be more than 0 characters [json-pointer:${path}/text]`);
  } else if (text.length > max) {
    problems.push(`must be less than ${max + 1} characters [json-pointer:${path}/text]`);
  }
}

function checkConfirm(value: unknown, path: string, problems: Problems): void {
  if (!isObj(value)) {
    problems.push(`must be a confirm object [json-pointer:${path}]`);
    return;
  }
  checkText(value.title, `${path}/title`, LIMITS.confirmTitle, problems, true);
  checkText(value.text, `${path}/text`, LIMITS.confirmText, problems);
  checkText(value.confirm, `${path}/confirm`, LIMITS.confirmButton, problems, true);
  checkText(value.deny, `${path}/deny`, LIMITS.confirmButton, problems, true);
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
    problems.push(`must be primary or danger [json-pointer:${path}/style]`);
  }
}

function checkElement(el: unknown, path: string, actionIds: Set<string>, problems: Problems): void {
  if (!isObj(el)) {
    problems.push(`must be an element [json-pointer:${path}]`);
    return;
  }
  if (typeof el.action_id === 'string') {
    if (el.action_id.length > LIMITS.actionId) {
      problems.push(`must be less than ${LIMITS.actionId + 1} characters [json-pointer:${path}/action_id]`);
    }
    if (actionIds.has(el.action_id)) problems.push(`action_id must be unique [json-pointer:${path}/action_id]`);
    actionIds.add(el.action_id);
  }
  if (el.type !== 'button') return;
  checkText(el.text, `${path}/text`, LIMITS.buttonText, problems, true);
  if (typeof el.value === 'string' && el.value.length > LIMITS.buttonValue) {
    problems.push(`must be less than ${LIMITS.buttonValue + 1} characters [json-pointer:${path}/value]`);
  }
  if (typeof el.url === 'string' && el.url.length > LIMITS.buttonUrl) {
    problems.push(`must be less than ${LIMITS.buttonUrl + 1} characters [json-pointer:${path}/url]`);
  }
  if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
    problems.push(`must be primary or danger [json-pointer:${path}/style]`);
  }
  if (el.confirm !== undefined) checkConfirm(el.confirm, `${path}/confirm`, problems);
}

function checkBlock(block: unknown, path: string, ids: { blocks: Set<string>; actions: Set<string> }): Problems {
  const problems: Problems = [];
  if (!isObj(block)) return [`must be a block object [json-pointer:${path}]`];
  if (typeof block.block_id === 'string') {
    if (block.block_id.length > LIMITS.blockId) {
      problems.push(`must be less than ${LIMITS.blockId + 1} characters [json-pointer:${path}/block_id]`);
    }
    if (ids.blocks.has(block.block_id)) problems.push(`block_id must be unique [json-pointer:${path}/block_id]`);
    ids.blocks.add(block.block_id);
  }
  switch (block.type) {
    case 'divider':
    case 'image':
    case 'rich_text':
    case 'file':
      break;
    case 'header':
      checkText(block.text, `${path}/text`, LIMITS.headerText, problems, true);
      break;
    case 'markdown':
      if (typeof block.text !== 'string' || block.text.length > LIMITS.markdownText) {
        problems.push(`must be 1-${LIMITS.markdownText} characters [json-pointer:${path}/text]`);
      }
      break;
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        problems.push(`must provide text or fields [json-pointer:${path}]`);
      }
      if (block.text !== undefined) checkText(block.text, `${path}/text`, LIMITS.sectionText, problems);
      if (block.fields !== undefined) {
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (fields.length === 0 || fields.length > LIMITS.sectionFields) {
          problems.push(`must have 1-${LIMITS.sectionFields} items [json-pointer:${path}/fields]`);
        }
        fields.forEach((f, i) => {
          checkText(f, `${path}/fields/${i}`, LIMITS.fieldText, problems);
        });
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${path}/accessory`, ids.actions, problems);
      break;
    }
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > LIMITS.contextElements) {
        problems.push(`must have 1-${LIMITS.contextElements} items [json-pointer:${path}/elements]`);
      }
      elements.forEach((el, i) => {
        if (isObj(el) && el.type === 'image') return;
        checkText(el, `${path}/elements/${i}`, LIMITS.sectionText, problems);
      });
      break;
    }
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > LIMITS.actionsElements) {
        problems.push(`must have 1-${LIMITS.actionsElements} items [json-pointer:${path}/elements]`);
      }
      elements.forEach((el, i) => {
        checkElement(el, `${path}/elements/${i}`, ids.actions, problems);
      });
      break;
    }
    default:
      problems.push(`unsupported type ${JSON.stringify(block.type)} [json-pointer:${path}/type]`);
  }
  return problems;
}

/** The problems Slack would report for `blocks`; empty when the message is valid. */
export function validateBlocks(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['must be an array [json-pointer:/blocks]'];
  const problems: Problems = [];
  if (blocks.length > LIMITS.blocks) {
    problems.push(`must be less than ${LIMITS.blocks + 1} items [json-pointer:/blocks]`);
  }
  const ids = { blocks: new Set<string>(), actions: new Set<string>() };
  blocks.forEach((block, i) => {
    problems.push(...checkBlock(block, `/blocks/${i}`, ids));
  });
  return problems;
}
