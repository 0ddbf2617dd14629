import { createEqlSequenceState } from '../eql';
import { SEQUENCE_META, TrackedSequenceState } from './tracked-sequence-state';

describe('TrackedSequenceState', () => {
  it('reports exactly the join keys the matcher marked changed, and the scalar part with them', () => {
    const t = new TrackedSequenceState(createEqlSequenceState());
    expect(t.takeChanges()).toEqual([]);
    (t.state.keys as Record<string, unknown>)['["h1"]'] = { k: ['h1'], p: [null] };
    (t.state.keys as Record<string, unknown>)['["h2"]'] = { k: ['h2'], p: [null] };
    t.state.changed!.add('["h1"]');
    t.state.keyCount = 2;
    const first = t.takeChanges();
    expect(first.map(([k]) => k)).toEqual(['k["h1"]', SEQUENCE_META]);
    expect(first[1][1]).not.toHaveProperty('changed');
    expect(t.takeChanges()).toEqual([]);
    delete (t.state.keys as Record<string, unknown>)['["h1"]'];
    delete (t.state.keys as Record<string, unknown>)['["h2"]'];
    t.state.changed!.add('["h1"]');
    t.state.changed!.add('["h2"]');
    t.state.keyCount = 0;
    expect(t.takeChanges()).toEqual([
      ['k["h1"]', null],
      ['k["h2"]', null],
      [SEQUENCE_META, null],
    ]);
    expect(t.takeChanges()).toEqual([]);
  });

  it('round-trips through stored entries', () => {
    const t = new TrackedSequenceState(createEqlSequenceState());
    (t.state.keys as Record<string, unknown>)['["h1"]'] = { k: ['h1'], p: [null] };
    t.state.changed!.add('["h1"]');
    t.state.keyCount = 1;
    t.state.seq = 7;
    const stored = JSON.parse(JSON.stringify(t.takeChanges())) as Array<[string, unknown]>;
    const back = TrackedSequenceState.fromEntries(createEqlSequenceState(), stored);
    expect(back.keyCount).toBe(1);
    expect(back.state.seq).toBe(7);
    expect(back.state.keys['["h1"]']).toEqual({ k: ['h1'], p: [null] });
    expect(back.takeChanges()).toEqual([]);
  });
});
