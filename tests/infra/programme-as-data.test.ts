import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { parseFunnelProgramme } from '../../workflows/programmes/funnel-schema.js';
import type { FunnelProgramme } from '../../workflows/programmes/types.js';
import { addFunnelStack, definitionOf, fixtureProgramme, fixtureWithExtraEmail, synthFunnels } from './support.js';

const templates = synthFunnels('programme-as-data', { Base: fixtureProgramme, Extra: fixtureWithExtraEmail });
const base = definitionOf(templates.Base).States;
const extra = definitionOf(templates.Extra).States;

/** Constructing the funnel is where a bad programme must stop synth. */
const construct = (programme: unknown) => () => addFunnelStack(new App(), 'Bad', programme as FunnelProgramme);
const withAwareness = (steps: unknown[]) => ({ ...fixtureProgramme, stages: { ...fixtureProgramme.stages, awareness: steps } });

describe('the funnel as programme data', () => {
  it('gains a send and its deferral wait when an email is added to the programme', () => {
    const added = Object.keys(extra).filter((name) => !(name in base));
    expect(added.sort()).toEqual(['Awareness: send 3 (webinar)', 'Awareness: wait 4 days', 'Awareness: when may send 3 go?', 'Awareness: wait until send 3 may go'].sort());
    expect(extra['Awareness: send 2 (guide)']!.Next).toBe('Awareness: wait 4 days');
    expect(extra['Awareness: send 3 (webinar)']!.Parameters.Payload).toMatchObject({ stepId: 'webinar', template: 'fixture-webinar' });
    expect(extra['Awareness: send 3 (webinar)']!.Next).toBe('Recycle: mark lead recycled');
  });

  it('refuses a programme with the same send id twice in a stage, naming it', () => {
    const duplicate = withAwareness([...fixtureProgramme.stages.awareness, { kind: 'send', id: 'welcome', template: 'fixture-guide', category: 'marketing' }]);
    expect(construct(duplicate)).toThrow(/stages\.awareness\[3\]\.id: duplicate send id "welcome"/);
  });

  it('refuses a wait of no time', () => {
    expect(construct(withAwareness([{ kind: 'wait', days: 0 }]))).toThrow(/stages\.awareness\[0\]\.days: .*>0/);
  });

  it('refuses hand-off settings that are not positive', () => {
    expect(construct({ ...fixtureProgramme, handoff: { ...fixtureProgramme.handoff, slaHours: 0 } })).toThrow(/handoff\.slaHours: .*>0/);
  });

  it('refuses a state name longer than Step Functions allows', () => {
    // Ids are at most 40 characters; a send inside a split arm names both.
    const send = { kind: 'send', id: 'y'.repeat(40), template: 'fixture-guide', category: 'marketing' };
    const split = { kind: 'split', id: 'x'.repeat(40), arms: [{ name: 'a', percent: 50, steps: [send] }, { name: 'b', percent: 50, steps: [] }] };
    expect(construct(withAwareness([split]))).toThrow(/longer than 80 characters: "Awareness \(x+ a\): send 1/);
  });

  it('is validated by the programme module with the path of the bad value', () => {
    expect(() => parseFunnelProgramme({ ...fixtureProgramme, handoff: { ...fixtureProgramme.handoff, slaHours: -1 } })).toThrow(/invalid funnel programme — .*handoff\.slaHours/);
    const windowed = { ...fixtureProgramme, stages: { ...fixtureProgramme.stages, awareness: [{ ...fixtureProgramme.stages.awareness[0], window: 'lunchtime' }] } };
    expect(() => parseFunnelProgramme(windowed)).toThrow(/invalid funnel programme — .*stages\.awareness\[0\]\.window: must be 'business-hours'/);
  });
});

describe('the hand-off SLA', () => {
  it('travels to AssignRep in the task payload, so the rep is told the SLA the state machine waits for', () => {
    const programme = { ...fixtureProgramme, handoff: { ...fixtureProgramme.handoff, slaHours: 8, escalateAfterMisses: 3 } };
    const { eight } = synthFunnels('sla-payload', { eight: programme });
    const states = Object.entries(definitionOf(eight).States);
    const slaWait = states.find(([name]) => name.startsWith('SLA: wait'));
    expect(slaWait?.[1].Seconds).toBe(8 * 3_600);
    const assignTasks = states.filter(([, s]) => s.Type === 'Task' && String(s.Parameters?.FunctionName ?? '').includes('AssignRep'));
    expect(assignTasks.length).toBeGreaterThanOrEqual(2);
    for (const [, task] of assignTasks) expect(task.Parameters.Payload).toMatchObject({ slaHours: 8, escalateAfterMisses: 3 });
  });
});
