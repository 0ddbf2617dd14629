import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredAlert } from './alert-view';
import { deliverWithRetry, SinkError, slackMessage, WebhookSink, type AlertSink } from './sinks';

const alert = (uuid: string, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  uuid,
  doc: { 'kibana.alert.uuid': uuid, host: { name: 'web-1' }, 'kibana.alert.reason': 'something happened' },
  update: false,
  ruleId: 'r',
  ruleName: 'Rule R',
  severity: 'high',
  riskScore: 73,
  buildingBlock: false,
  originalTime: 0,
  publishedAt: 0,
  ...extra,
});

class Failing implements AlertSink {
  readonly name = 'failing';
  calls = 0;
  accepts() {
    return true;
  }
  async deliver() {
    this.calls++;
    throw new SinkError('HTTP 503', true);
  }
}

describe('sinks', () => {
  it('backs off exponentially and stops when the retry budget is spent', async () => {
    const pauses: number[] = [];
    let clock = 0;
    const options = {
      attempts: 10,
      backoffMs: 100,
      budgetMs: 1_000,
      now: () => clock,
      sleep: async (ms: number) => {
        pauses.push(ms);
        clock += ms;
      },
    };
    const sink = new Failing();
    const result = await deliverWithRetry(sink, [alert('a')], options);
    // 100 + 200 + 400 = 700; the next pause (800) would pass the 1000 ms budget
    expect(pauses).toEqual([100, 200, 400]);
    expect(sink.calls).toBe(4);
    expect(result).toEqual({ error: 'HTTP 503 (retry budget spent)', attempts: 4 });
  });

  it("honours a server's Retry-After within the budget", async () => {
    const pauses: number[] = [];
    let clock = 0;
    let calls = 0;
    const throttled: AlertSink = {
      name: 'throttled',
      accepts: () => true,
      deliver: async () => {
        if (calls++ === 0) throw new SinkError('HTTP 429', true, 2_000);
      },
    };
    const result = await deliverWithRetry(throttled, [alert('a')], {
      attempts: 3,
      backoffMs: 100,
      budgetMs: 5_000,
      now: () => clock,
      sleep: async (ms) => {
        pauses.push(ms);
        clock += ms;
      },
    });
    expect(result).toBeNull();
    expect(pauses).toEqual([2_000]);
  });

  it('formats Slack messages and posts generic JSON', async () => {
    expect(slackMessage([alert('a')]).text).toBe('*[HIGH] Rule R* on web-1 (risk 73): something happened');
    const sneaky = alert('s', {
      doc: { host: { name: '<!channel>' }, 'kibana.alert.reason': 'a & b <http://x|y>' },
    });
    expect(slackMessage([sneaky]).text).toBe(
      '*[HIGH] Rule R* on &lt;!channel&gt; (risk 73): a &amp; b &lt;http://x|y&gt;',
    );
    const many = slackMessage(Array.from({ length: 25 }, (_, i) => alert(`a${i}`))).text.split('\n');
    expect(many).toHaveLength(21);
    expect(many[20]).toBe('…and 5 more');

    const bodies: Array<{ auth?: string; body: unknown }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(req.url === '/gone' ? 404 : 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const json = new WebhookSink(
        { name: 'j', url: `${base}/ok`, format: 'json', authorization: 'Bearer x' },
        2_000,
        false,
      );
      await json.deliver([alert('a'), alert('b')]);
      expect(bodies[0]).toEqual({ auth: 'Bearer x', body: { alerts: [alert('a').doc, alert('b').doc] } });
      expect(json.accepts(alert('u', { update: true }))).toBe(false);
      expect(json.accepts(alert('bb', { buildingBlock: true }))).toBe(false);
      const gone = new WebhookSink({ name: 'g', url: `${base}/gone`, format: 'json' }, 2_000, false);
      await expect(gone.deliver([alert('a')])).rejects.toMatchObject({
        message: 'HTTP 404',
        retryable: false,
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
