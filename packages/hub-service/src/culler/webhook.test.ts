import { createLogger } from '../observability/logger';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver';
import { CullWebhook, webhookSignature, type CullWebhookEvent } from './webhook';

const EVENT: CullWebhookEvent = {
  event: 'warning',
  reason: 'idle',
  action: 'stop',
  user: 'alice',
  server: '',
  profile: 'cpu',
  action_at: '2026-11-30T14:20:00.000Z',
  message: 'This server will be stopped at 14:20 UTC after 60 minutes without activity. Use it or press Keep alive.',
};

describe('culler webhook', () => {
  let receiver: WebhookReceiver;
  const logger = createLogger({ level: 'silent' });
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('signs with HMAC-SHA256 of the body (value checked against Python hmac)', () => {
    expect(webhookSignature('{"a":1}', 'k3y')).toBe('sha256=32db719f172c48e89dbfa56ed20d9e19cdbfdbe9f652ccdf5fa03494d2444853');
  });

  it('POSTs the event as JSON with the signature header', async () => {
    const hook = new CullWebhook({ url: receiver.url, secret: 'k3y', timeoutSeconds: 5 }, logger);
    hook.send(EVENT);
    await hook.settled();
    expect(receiver.events).toHaveLength(1);
    const [got] = receiver.events;
    expect(got?.body).toEqual(EVENT);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-clusterhub-signature']).toBe(webhookSignature(got?.raw ?? '', 'k3y'));
  });

  it('sends no signature without a key', async () => {
    const hook = new CullWebhook({ url: receiver.url, secret: null, timeoutSeconds: 5 }, logger);
    hook.send(EVENT);
    await hook.settled();
    expect(receiver.events[0]?.headers['x-clusterhub-signature']).toBeUndefined();
  });

  it('never throws: a refused event, an unreachable receiver and a timeout are only logged, one attempt each', async () => {
    const lines: string[] = [];
    const logged = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    receiver.answerWith(500);
    const refused = new CullWebhook({ url: receiver.url, secret: null, timeoutSeconds: 5 }, logged);
    refused.send(EVENT);
    await refused.settled();
    expect(receiver.events).toHaveLength(1);
    const unreachable = new CullWebhook({ url: 'http://127.0.0.1:1/hook', secret: null, timeoutSeconds: 5 }, logged);
    unreachable.send(EVENT);
    await unreachable.settled();
    receiver.answerWith(0);
    const slow = new CullWebhook({ url: receiver.url, secret: null, timeoutSeconds: 0.2 }, logged);
    slow.send(EVENT);
    await slow.settled();
    expect(receiver.events).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'culler webhook: the receiver refused the event',
      'culler webhook: delivery failed',
      'culler webhook: delivery failed',
    ]);
  });
});
