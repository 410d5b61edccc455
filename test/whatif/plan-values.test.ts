import test from 'ava';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { PlanValues } from '../../src/providers/whatif/plan-values.js';

const plan = parsePlan(
  {
    format_version: '1.2',
    resource_changes: [
      {
        address: 'x_grant.empty',
        mode: 'managed',
        type: 'x_grant',
        name: 'empty',
        change: {
          actions: ['create'],
          before: null,
          after: { user: '', role: 7, scope: 'p1' },
          after_unknown: { later: true },
        },
      },
    ],
  },
  'plan.json',
);
const change = plan.changes[0]!;

test('a required attribute that is empty, not a string or unknown is a gap naming it, never a silent nothing', (t) => {
  const values = new PlanValues<string>(plan);
  t.is(values.requiredText(change, 'scope', ['x:p1']), 'p1');
  t.is(values.requiredText(change, 'user', ['x:p1']), undefined);
  t.is(values.requiredText(change, 'role', ['x:p1']), undefined);
  t.is(values.requiredText(change, 'later', ['x:p1']), undefined);
  t.deepEqual(values.gaps, [
    { address: 'x_grant.empty', attribute: 'user', reason: 'user is empty', scopes: ['x:p1'] },
    { address: 'x_grant.empty', attribute: 'role', reason: 'role is not a string', scopes: ['x:p1'] },
    { address: 'x_grant.empty', attribute: 'later', reason: 'later is known only after apply', scopes: ['x:p1'] },
  ]);
});

test('an optional attribute that is empty is undefined without a gap', (t) => {
  const values = new PlanValues<string>(plan);
  t.is(values.text(change, 'user', []), undefined);
  t.deepEqual(values.gaps, []);
});
