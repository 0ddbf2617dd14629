import { createLogger, redact } from './logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    base: { service: 'test' },
    write: (line) => lines.push(line),
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l)) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const { logger, lines, entries } = capture();
    logger.info('hello', { count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'hello',
      service: 'test',
      count: 2,
    });
  });

  it('drops entries below the level', () => {
    const { logger, entries } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((e) => e.level)).toEqual(['warn', 'error']);
    expect(logger.isLevelEnabled('info')).toBe(false);
  });

  it('masks secret-looking keys at any depth', () => {
    const { logger, lines } = capture();
    logger.info('connect', {
      kafka: { saslPassword: 'p1', brokers: ['b:1'] },
      headers: { Authorization: 'Bearer abc' },
      apiKey: 'k',
      token: 't',
    });
    const entry = JSON.parse(lines[0]);
    expect(entry.kafka).toEqual({ saslPassword: '***', brokers: ['b:1'] });
    expect(entry.headers.Authorization).toBe('***');
    expect(entry.apiKey).toBe('***');
    expect(lines[0]).not.toMatch(/p1|abc|"k"|"t"/);
  });

  it('child loggers add fields', () => {
    const { logger, entries } = capture();
    logger.child({ component: 'kafka' }).warn('slow');
    expect(entries()[0]).toMatchObject({ service: 'test', component: 'kafka', msg: 'slow' });
  });
});

describe('redact', () => {
  it('serializes errors and cuts cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const out = redact({ error: new TypeError('boom'), cyclic, big: 10n }) as Record<string, any>;
    expect(out.error).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(out.cyclic.self).toBe('[circular]');
    expect(out.big).toBe('10');
  });
});
