import { describe, expect, it } from 'vitest';
import { renderParent, renderSilenceLine } from '../../src/slack/render/parent.js';

const base = {
  alertname: 'KubePodCrashLooping',
  namespace: 'ads',
  severity: 'warning',
  groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'ads' },
};
const until = Date.parse('2026-12-06T14:00:00Z');

describe('the parent of a silenced group', () => {
  it('names the approver of a Medic silence and its end as a Slack date, with the muted icon in the title', () => {
    const { text, blocks } = renderParent({
      ...base,
      firing: 2,
      resolved: 0,
      silence: { source: 'medic', approvedBy: 'UAPPROVER', until, silenced: 2, firing: 2 },
    });
    const shown = JSON.stringify(blocks);
    expect(shown).toContain('🔕 KubePodCrashLooping in ads');
    expect(shown).toContain(
      '🔕 Silenced by <@UAPPROVER> (Medic silence) until <!date^1796565600^{date_short_pretty} {time}|2026-12-06T14:00:00Z>',
    );
    expect(text).toContain('(silenced)');
  });

  it("escapes what someone typed in Alertmanager's UI and says how many of the firing alerts it covers", () => {
    const line = renderSilenceLine({
      source: 'alertmanager',
      createdBy: '<!channel> eve',
      comment: 'swap <disk> & reboot',
      until,
      silenced: 1,
      firing: 3,
    });
    expect(line).toContain('in Alertmanager by &lt;!channel&gt; eve until');
    expect(line).toContain('(1 of 3 firing alerts): “swap &lt;disk&gt; &amp; reboot”');
    expect(line).not.toContain('<!channel>');
  });

  it('shows no silence once every alert resolved', () => {
    const { blocks } = renderParent({
      ...base,
      firing: 0,
      resolved: 2,
      silence: { source: 'medic', approvedBy: 'UAPPROVER', until, silenced: 2, firing: 2 },
    });
    const shown = JSON.stringify(blocks);
    expect(shown).toContain('✅ Resolved: KubePodCrashLooping');
    expect(shown).not.toContain('Silenced');
  });
});
