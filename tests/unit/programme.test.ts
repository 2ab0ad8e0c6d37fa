import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../functions/core/model.js';
import { funnelProgramme } from '../../workflows/programmes/funnel.js';
import { parseFunnelProgramme } from '../../workflows/programmes/funnel-schema.js';
import type { FunnelProgramme, ProgrammeStep } from '../../workflows/programmes/types.js';

const sends = (steps: ProgrammeStep[]) => steps.filter((s) => s.kind === 'send');
const withStage = (stage: keyof FunnelProgramme['stages'], steps: unknown[]) => ({
  ...funnelProgramme,
  stages: { ...funnelProgramme.stages, [stage]: steps },
});

describe('the default funnel programme', () => {
  it('has steps for every stage and starts awareness with the transactional welcome', () => {
    for (const stage of STAGES) expect(funnelProgramme.stages[stage].length).toBeGreaterThan(0);
    expect(funnelProgramme.stages.awareness[0]).toEqual({ kind: 'send', id: 'welcome', template: 'awareness-welcome', category: 'transactional' });
    expect(sends(funnelProgramme.stages.purchase)).toEqual([{ kind: 'send', id: 'thank-you', template: 'purchase-thank-you', category: 'transactional' }]);
  });

  it('recycles monthly four times before the lead closes as dormant', () => {
    expect(sends(funnelProgramme.recycle)).toHaveLength(4);
    expect(sends(funnelProgramme.recycle).every((s) => s.kind === 'send' && s.category === 'recycle')).toBe(true);
    expect(funnelProgramme.recycle.filter((s) => s.kind === 'wait').map((s) => s.kind === 'wait' && s.days)).toEqual([30, 30, 30, 30]);
  });

  it('hands off with a 24-hour SLA, retries the queue every 4 hours and escalates on the 2nd miss', () => {
    expect(funnelProgramme.handoff).toEqual({ slaHours: 24, queueRetryHours: 4, escalateAfterMisses: 2 });
  });
});

describe('programme validation', () => {
  const reject = (data: unknown) => expect(() => parseFunnelProgramme(data));

  it('rejects a send naming an unknown template, naming the path', () => {
    reject(withStage('interest', [{ kind: 'send', id: 'x', template: 'no-such-template', category: 'marketing' }])).toThrow(
      /stages\.interest\[0\]\.template: names no template/,
    );
  });

  it('rejects two sends with the same id in one stage', () => {
    const send = { kind: 'send', id: 'same', template: 'interest-case-study-1', category: 'marketing' };
    reject(withStage('interest', [send, { kind: 'wait', days: 1 }, send])).toThrow(/stages\.interest\[2\]\.id: duplicate send id "same"/);
  });

  it('rejects a wait that is not positive, or has no length at all', () => {
    reject(withStage('decision', [{ kind: 'wait', days: 0 }])).toThrow(/stages\.decision\[0\]\.days/);
    reject(withStage('decision', [{ kind: 'wait' }])).toThrow(/stages\.decision\[0\]: a wait needs days, hours or minutes/);
  });

  it('rejects an empty stage', () => {
    reject(withStage('consideration', [])).toThrow(/stages\.consideration: a stage needs at least one step/);
  });

  it('rejects a recycle nurture without a send', () => {
    reject({ ...funnelProgramme, recycle: [{ kind: 'wait', days: 30 }] }).toThrow(/recycle: the recycle nurture needs at least one send/);
  });

  it('rejects a missing stage and an unknown category', () => {
    const { purchase: _, ...stages } = funnelProgramme.stages;
    reject({ ...funnelProgramme, stages }).toThrow(/stages\.purchase/);
    reject(withStage('purchase', [{ kind: 'send', id: 'a', template: 'purchase-thank-you', category: 'spam' }])).toThrow(/stages\.purchase\[0\]\.category/);
  });

  it('rejects step ids that cannot become state names or ledger keys', () => {
    reject(withStage('purchase', [{ kind: 'send', id: 'Thank You!', template: 'purchase-thank-you', category: 'transactional' }])).toThrow(
      /stages\.purchase\[0\]\.id/,
    );
  });

  it('rejects a non-positive hand-off setting', () => {
    reject({ ...funnelProgramme, handoff: { ...funnelProgramme.handoff, slaHours: 0 } }).toThrow(/handoff\.slaHours/);
  });

  it('rejects a bad value deep in a split, naming its path', () => {
    const split = {
      kind: 'split', id: 'subject-line',
      arms: [
        { name: 'a', percent: 50, steps: [{ kind: 'send', id: 'a', template: 'interest-case-study-1', category: 'marketing' }] },
        { name: 'b', percent: 50, steps: [{ kind: 'send', id: 'b', template: 'nope', category: 'marketing' }] },
      ],
    };
    reject(withStage('interest', [split])).toThrow(/stages\.interest\[0\]\.arms\[1\]\.steps\[0\]\.template: names no template/);
    const uneven = { ...split, arms: [{ ...split.arms[0], percent: 60 }, { ...split.arms[1], percent: 30 }] };
    reject(withStage('interest', [uneven])).toThrow(/stages\.interest\[0\]\.arms: arm percentages must add up to 100/);
  });

  it('rejects a send id used twice across the arms of a stage: the ledger would deliver only one', () => {
    const send = { kind: 'send', id: 'same', template: 'interest-case-study-1', category: 'marketing' };
    const split = { kind: 'split', id: 'ab', arms: [{ name: 'a', percent: 50, steps: [send] }, { name: 'b', percent: 50, steps: [send] }] };
    reject(withStage('interest', [split])).toThrow(/stages\.interest\[0\]\.arms\[1\]\.steps\[0\]\.id: duplicate send id "same"/);
  });

  it('rejects a task step naming a function the funnel does not have', () => {
    reject(withStage('interest', [{ kind: 'task', id: 'x', task: 'launchRockets' }])).toThrow(/stages\.interest\[0\]\.task/);
  });
});

describe('the programme data module', () => {
  it('is plain data: Lambdas import it, so it carries no schema library', () => {
    const source = readFileSync(new URL('../../workflows/programmes/funnel.ts', import.meta.url), 'utf8');
    const imports = source.split('\n').filter((line) => /^import /.test(line));
    expect(imports.filter((line) => /zod|schema/.test(line))).toEqual([]);
  });

  it('passes its own schema', () => {
    expect(parseFunnelProgramme(funnelProgramme)).toEqual(funnelProgramme);
  });
});
