import { escapeKuery, escapeQuotes } from './escape';
import { compileKql } from './compile';

describe('escapeKuery / escapeQuotes (Kibana)', () => {
  it('escapes special characters, keywords and whitespace, and reads back as the value', () => {
    const value = 'This \\ has (a lot of) <special> characters, don\'t you *think*? "Yes."';
    const escaped = escapeKuery(value);
    expect(escaped).toBe(
      'This \\\\ has \\(a lot of\\) \\<special\\> characters, don\'t you \\*think\\*? \\"Yes.\\"',
    );
    expect(compileKql(`f:${escaped}`)({ f: value })).toBe(true);
    const ws = 'This\nhas\tnewlines\r\nwith\ttabs';
    expect(escapeKuery(ws)).toBe('This\\nhas\\tnewlines\\r\\nwith\\ttabs');
    expect(compileKql(`f:${escapeKuery(ws)}`)({ f: ws })).toBe(true);
    expect(escapeKuery('foo AND bar')).toBe('foo \\AND bar');
  });

  it('escapes backslashes and quotes inside quoted strings', () => {
    const value = 'Backslashes \\" in the middle and ends with quotes \\"';
    expect(compileKql(`f:"${escapeQuotes(value)}"`)({ f: value })).toBe(true);
  });
});
