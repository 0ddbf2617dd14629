import { parseKql } from './parser';
import { hasFreeText, kqlFieldNames, requiredFieldValues } from './fields';

describe('query introspection', () => {
  it('lists absolute field paths, nested scopes resolved', () => {
    expect(kqlFieldNames(parseKql('a:1 and top:{ b:2 and middle:{ c:true } }'))).toEqual([
      'a',
      'top',
      'top.b',
      'top.middle',
      'top.middle.c',
    ]);
    expect(hasFreeText(parseKql('service.name: my-service AND foo'))).toBe(true);
    expect(hasFreeText(parseKql('host.name: "host"'))).toBe(false);
  });

  it('finds the values a field must have, only when the query pins them', () => {
    const req = (q: string) => requiredFieldValues(parseKql(q), 'event.category');
    expect(req('event.category:process and process.name:bash')).toEqual(['process']);
    expect(req('event.category:(process or network) and host.os.type:linux')).toEqual(['process', 'network']);
    expect(req('event.category:(process or network) and event.category:network')).toEqual(['network']);
    expect(req('event.category:process or process.name:bash')).toBeUndefined();
    expect(req('not event.category:process')).toBeUndefined();
    expect(req('event.category:proc*')).toBeUndefined();
    expect(req('process.name:bash')).toBeUndefined();
  });
});
