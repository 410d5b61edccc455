import test from 'ava';
import fc from 'fast-check';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { DetectEvent } from '../../src/detect/event.js';
import { meetsConditions, necessaryConditions } from '../../src/detect/prefilter.js';
import { loadRules, type Rule } from '../../src/detect/rules.js';

const described = (schema: unknown): string[] =>
  necessaryConditions(schema).map(
    (c) =>
      `${c.tail === undefined ? c.head : `${c.head}.${c.tail}`}${c.values ? `=${[...c.values].join('|')}` : ` is ${[...c.types!].join('|')}`}`,
  );

test('conditions are read off const, enum and type under properties, nested one level, and in allOf', (t) => {
  t.deepEqual(
    described({
      type: 'object',
      properties: {
        source: { const: 'cloudtrail' },
        outcome: { enum: ['success', 'unknown'] },
        client: { type: 'object', properties: { kind: { const: 'tool' } } },
      },
      allOf: [{ properties: { accessDenied: { const: true } } }],
    }),
    ['source=cloudtrail', 'outcome=success|unknown', 'client is object', 'client.kind=tool', 'accessDenied=true'],
  );
});

test('anyOf, oneOf, not and non-primitive values imply no condition', (t) => {
  t.deepEqual(
    described({
      properties: {
        operation: { not: { const: 'X' } },
        target: { enum: ['a', { b: 1 }] },
        region: { const: ['a'] },
        client: { properties: { tool: { anyOf: [{ const: 'a' }] } } },
      },
      anyOf: [{ properties: { cloud: { const: 'aws' } } }],
      oneOf: [{ properties: { cloud: { const: 'gcp' } } }],
    }),
    [],
  );
});

test('a field typed string rules out null, and a number is left to the validator whether integer or not', (t) => {
  const conditions = necessaryConditions({
    properties: {
      actor: { properties: { compute: { type: 'string' } } },
      region: { type: ['string', 'null'] },
      target: { type: 'integer' },
    },
  });
  t.false(meetsConditions({ actor: { compute: null } } as unknown as DetectEvent, conditions));
  t.true(
    meetsConditions(
      { actor: { compute: 'i-0123456789abcdef0' }, region: null, target: 1.5 } as unknown as DetectEvent,
      conditions,
    ),
  );
  t.false(meetsConditions({ region: 5 } as unknown as DetectEvent, conditions));
  t.deepEqual(
    described({ properties: { target: { type: 'strin' }, region: { type: [] } } }),
    [],
    'an unknown type name or none: no condition',
  );
});

test('a field the event has not (an optional one) meets every condition', (t) => {
  const conditions = necessaryConditions({
    properties: { signInMethod: { const: 'deviceCode' }, client: { properties: { appId: { const: 'x' } } } },
  });
  t.true(meetsConditions({ client: 'not an object' } as unknown as DetectEvent, conditions));
  t.false(meetsConditions({ signInMethod: 'password' } as unknown as DetectEvent, conditions));
  t.false(meetsConditions({ client: { appId: 'y' } } as unknown as DetectEvent, conditions));
});

/** Every value any shipped rule names, and some it does not, for each field an event has. */
function eventArbitrary(rules: Rule[]): fc.Arbitrary<DetectEvent> {
  const named = new Set<unknown>(['other', '', 'aws', 'azure', 'gcp', 'cloudtrail', 'gcp-audit', 'entra-signin']);
  for (const r of rules)
    for (const c of necessaryConditions(r.definition.match)) for (const v of c.values ?? []) named.add(v);
  const value = fc.oneof(
    fc.constantFrom(...named),
    fc.constantFrom(null, true, false, undefined, 0, 1.5, [], {}),
    fc.string({ maxLength: 4 }),
  );
  const text = fc.oneof(
    fc.constantFrom(...[...named].filter((v) => typeof v === 'string')),
    fc.string({ maxLength: 4 }),
  );
  return fc.record({
    time: fc.constant(Date.parse('2026-01-01T00:00:00Z')),
    cloud: text,
    source: text,
    account: value,
    region: value,
    actor: fc.record({
      principal: text,
      type: value,
      role: value,
      credential: value,
      keyId: value,
      session: value,
      mfa: value,
      compute: value,
    }),
    client: fc.record({ kind: value, tool: value, appId: value, scripted: value, evidence: text }),
    src: fc.record({ ip: value, network: value }),
    service: text,
    operation: text,
    target: value,
    newKeyId: value,
    access: value,
    outcome: value,
    error: value,
    accessDenied: value,
    signInMethod: value,
    deviceOs: value,
    ref: fc.constant({ file: 'x', line: 1 }),
  }) as unknown as fc.Arbitrary<DetectEvent>;
}

test('no shipped rule matches an event that fails its conditions', async (t) => {
  const rules = await loadRules();
  const conditions = rules.map((r) => necessaryConditions(r.definition.match));
  let passedOver = 0;
  fc.assert(
    fc.property(eventArbitrary(rules), (event) => {
      rules.forEach((rule, i) => {
        if (meetsConditions(event, conditions[i]!)) return;
        passedOver++;
        if (rule.match(event)) throw new Error(`${rule.id} matches an event its conditions pass over`);
      });
    }),
    { seed: 20261207, numRuns: 400 },
  );
  t.true(passedOver > 1000, `${passedOver}`);
});

test('a first-seen rule no AWS event can match still learns from one when it started observing', async (t) => {
  const rule = (await loadRules()).find((r) => r.id === 'azure-cli-first-signin')!;
  t.true(necessaryConditions(rule.definition.match).some((c) => c.head === 'source'));
  const engine = new DetectionEngine([rule]);
  const time = Date.parse('2026-01-01T00:00:00Z');
  engine.process({
    time,
    cloud: 'aws',
    source: 'cloudtrail',
    actor: {},
    client: {},
    src: {},
    ref: { file: 'x', line: 1 },
  } as unknown as DetectEvent);
  t.is(engine.stats.matched[rule.id], 0);
  t.is(engine.history().get(rule.id)!.observedFrom, time);
});
