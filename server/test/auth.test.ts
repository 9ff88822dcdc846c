// Authentication and ACLs: wrong and missing credentials, forbidden topic, forbidden group, admin
// without rights, and an authenticated client that still works end to end (SDK included).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, PROTOCOL_VERSION, encodeBatch } from '@brook/protocol';
import { Brook, logLevel } from '@brook/client';
import { RawClient, testBroker } from './helpers.js';
import { Authorizer } from '../src/auth/authorizer.js';

type TB = Awaited<ReturnType<typeof testBroker>>;
const enc = new TextEncoder();
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

const auth = {
  principals: [
    { name: 'ops', secret: 'ops-secret', acls: [{ resource: 'cluster' as const, operations: ['admin' as const] }, { resource: 'topic' as const, name: '', patternType: 'prefixed' as const, operations: ['all' as const] }] },
    {
      name: 'billing',
      secretSha256: hash('billing-secret'),
      acls: [
        { resource: 'topic' as const, name: 'orders', operations: ['produce' as const, 'consume' as const] },
        { resource: 'group' as const, name: 'billing', patternType: 'prefixed' as const, operations: ['use' as const] },
        { resource: 'transactionalId' as const, name: 'billing-', patternType: 'prefixed' as const, operations: ['write' as const] },
      ],
    },
  ],
};

async function login(url: string, username: string | null, password: string | null) {
  const c = await RawClient.connect(url, false);
  const r = await c.request('Handshake', { clientId: 't', clientSoftware: 't', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username, password }).catch((e: unknown) => e);
  return { c, r };
}

describe('authentication and ACLs', () => {
  let broker: TB;
  beforeAll(async () => {
    broker = await testBroker({ auth });
    const { c } = await login(broker.url, 'ops', 'ops-secret');
    await c.request('CreateTopics', { topics: [{ name: 'orders', numPartitions: 2, configs: [] }, { name: 'payroll', numPartitions: 1, configs: [] }], validateOnly: false });
    c.close();
  });
  afterAll(async () => broker.stop());

  it('refuses a wrong or missing password and closes the connection', async () => {
    for (const [u, p] of [['billing', 'nope'], [null, null], ['nobody', 'billing-secret']] as const) {
      const { c, r } = await login(broker.url, u, p);
      expect(r).toMatchObject({ code: ErrorCode.SASL_AUTHENTICATION_FAILED });
      expect((await c.closed).code).toBe(1008);
    }
    const raw = await RawClient.connect(broker.url, false);
    await expect(raw.request('Metadata', { topics: null })).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_REQUIRED });
    raw.close();
  });

  it('lets a principal use only its topics and groups', async () => {
    const { c, r } = await login(broker.url, 'billing', 'billing-secret');
    expect(r).toMatchObject({ principal: 'billing' });
    const produce = (topic: string) =>
      c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ topic, partitions: [{ partition: 0, records: encodeBatch({ records: [{ value: enc.encode('x') }] }) }] }] });
    expect((await produce('orders')).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await produce('payroll')).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const fetch = await c.request('Fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, topics: [{ topic: 'payroll', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }] });
    expect(fetch.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const md = await c.request('Metadata', { topics: null });
    expect(md.topics.map((t) => t.name)).toEqual(['orders']);
    const create = await c.request('CreateTopics', { topics: [{ name: 'mine', numPartitions: 1, configs: [] }], validateOnly: false });
    expect(create.topics[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

    const hb = (groupId: string, topics: string[]) =>
      c.request('ConsumerGroupHeartbeat', { groupId, memberId: `m-${groupId}`, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000, subscribedTopicNames: topics, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    expect((await hb('billing-eu', ['orders'])).errorCode).toBe(0);
    expect((await hb('payroll-team', ['orders'])).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect((await hb('billing-us', ['payroll'])).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const commit = await c.request('OffsetCommit', { groupId: 'payroll-team', memberId: null, memberEpoch: -1, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: 1, metadata: null }] }] });
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect((await c.request('OffsetFetch', { groupId: 'payroll-team', topics: null, requireStable: false })).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    c.close();
  });

  it('a regex subscription is resolved to the topics its member may describe', async () => {
    const { c } = await login(broker.url, 'billing', 'billing-secret');
    const hb = await c.request('ConsumerGroupHeartbeat', {
      groupId: 'billing-rx', memberId: 'm-rx', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000,
      subscribedTopicNames: null, subscribedTopicRegex: '.*', serverAssignor: null, topicPartitions: [],
    });
    expect(hb.errorCode).toBe(0);
    // payroll matches too, but billing may not describe it: never assigned (its Fetch would be refused).
    expect(hb.assignment).toEqual([{ topic: 'orders', partitions: [0, 1] }]);
    await c.request('ConsumerGroupHeartbeat', { groupId: 'billing-rx', memberId: 'm-rx', memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, sessionTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null });
    c.close();
  });

  it('protects the admin API: 401 without or with wrong credentials, reads filtered to what the principal may describe, 403 for changes without admin rights', async () => {
    const get = (authorization?: string, path = '/api/topics') => fetch(`${broker.httpUrl}${path}`, { headers: authorization ? { authorization } : {} });
    expect((await get()).status).toBe(401);
    expect((await get('Bearer ops:wrong')).status).toBe(401);
    const billing = 'Bearer billing:billing-secret';
    const mine = (await (await get(billing)).json()) as Array<{ name: string }>;
    expect(mine.map((t) => t.name)).toEqual(['orders']);
    expect(await (await get(billing, '/api/whoami')).json()).toEqual({ authEnabled: true, principal: 'billing', admin: false });
    expect((await get(billing, '/api/topics/orders')).status).toBe(200);
    const hidden = await get(billing, '/api/topics/payroll');
    expect(hidden.status).toBe(403);
    expect(await hidden.json()).toMatchObject({ error: 'TOPIC_AUTHORIZATION_FAILED' });
    // Not even whether it exists: the same answer for a topic that is not there.
    expect((await get(billing, '/api/topics/nothing-here')).status).toBe(403);
    expect((await get(billing, '/api/topics/payroll/partitions/0/records')).status).toBe(403);
    expect((await get(billing, '/api/groups/payroll-team')).status).toBe(403);
    expect(((await (await get(billing, '/api/broker')).json()) as { topics: number }).topics).toBe(1);
    const forbidden = await fetch(`${broker.httpUrl}/api/topics`, { method: 'POST', headers: { authorization: billing, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mine', partitions: 1 }) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: 'CLUSTER_AUTHORIZATION_FAILED' });
    expect((await get(billing, '/metrics')).status).toBe(403);
    expect((await get('Bearer ops:ops-secret')).status).toBe(200);
    expect(await (await get('Bearer ops:ops-secret', '/api/whoami')).json()).toEqual({ authEnabled: true, principal: 'ops', admin: true });
    expect((await get(`Basic ${Buffer.from('ops:ops-secret').toString('base64')}`)).status).toBe(200);
    expect((await fetch(`${broker.httpUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${broker.httpUrl}/health`)).status).toBe(200);
  });

  it('declares 401 and 403 and the credentials in the OpenAPI document, where they apply', async () => {
    type Op = { responses: Record<string, unknown>; security?: unknown };
    const spec = (await (await fetch(`${broker.httpUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Op>>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    expect(Object.values(spec.components.securitySchemes).map((s) => s.scheme).sort()).toEqual(['basic', 'bearer']);
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const guarded = path !== '/health';
        expect(Object.keys(op.responses).filter((s) => s === '401' || s === '403'), `${method} ${path}`).toEqual(guarded ? ['401', '403'] : []);
        expect(op.security !== undefined, `${method} ${path}`).toBe(guarded);
      }
    }
  });

  it('an authenticated SDK client produces and consumes; a wrong one fails fast', async () => {
    const brook = new Brook({ url: broker.url, clientId: 'sdk', logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'billing', password: 'billing-secret' } });
    const producer = brook.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ value: 'paid' }] });
    const consumer = brook.consumer({ groupId: 'billing-sdk' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    for (let i = 0; i < 200 && !got.includes('paid'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(got).toContain('paid');
    await consumer.disconnect();
    await producer.disconnect();
    const bad = new Brook({ url: broker.url, clientId: 'sdk', logLevel: logLevel.NOTHING, sasl: { username: 'billing', password: 'x' } }).producer();
    const t0 = Date.now();
    await expect(bad.connect()).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('transactional ids need the write ACL, and no one can write into a transaction whose id they may not use', async () => {
    const billing = new Brook({ url: broker.url, clientId: 'sdk', logLevel: logLevel.NOTHING, sasl: { username: 'billing', password: 'billing-secret' } });
    const mine = billing.producer({ transactionalId: 'billing-tx' });
    await mine.connect();
    const tx = await mine.transaction();
    await tx.send({ topic: 'orders', messages: [{ value: 'in a transaction', partition: 1 }] });
    await tx.commit();
    const notMine = billing.producer({ transactionalId: 'payroll-tx' });
    await expect(notMine.connect()).rejects.toMatchObject({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' });

    // ops may write every topic but has no transactionalId ACL: it may not take, extend or end billing's transaction.
    const { producerId, producerEpoch } = mine.producerIdentity();
    const { c } = await login(broker.url, 'ops', 'ops-secret');
    await expect(c.request('InitProducerId', { transactionalId: 'billing-tx', transactionTimeoutMs: 60_000 })).rejects.toMatchObject({ code: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
    const forged = encodeBatch({ records: [{ value: enc.encode('forged') }], producerId, producerEpoch, baseSequence: 1, transactional: true });
    const res = await c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ topic: 'orders', partitions: [{ partition: 1, records: forged }] }] });
    expect(res.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    await expect(c.request('EndTxn', { transactionalId: 'billing-tx', producerId, producerEpoch, committed: false })).rejects.toMatchObject({ code: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
    c.close();
    await mine.disconnect();
    await notMine.disconnect().catch(() => {});
  });

  it('validates the auth config', () => {
    expect(() => new Authorizer({ principals: [] })).toThrow(/non-empty/);
    expect(() => new Authorizer({ principals: [{ name: 'x' }] })).toThrow(/secret/);
    expect(() => new Authorizer({ principals: [{ name: 'x', secret: 's', acls: [{ resource: 'topic', name: 't', operations: ['use'] }] }] })).toThrow(/allows only/);
  });
});
