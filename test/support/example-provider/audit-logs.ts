/**
 * The example provider's audit log, read by `cloudward detect` through the adapter's `auditLogs` part: a toy JSON-lines
 * log of its own (logs/), one record per call. docs/providers/adding.md walks through it.
 */
import type { AuditLogs } from '../../../src/events/audit-logs.js';
import { parseTime, str, type Rec } from '../../../src/events/record.js';

/** A Demo Cloud audit record: `demoTime` and `action` are what no other provider's log has. */
const isDemoRecord = (r: Rec): boolean => typeof r.demoTime === 'string' && typeof r.action === 'string';

export const demoAuditLogs: AuditLogs = {
  title: 'Demo Cloud audit log',
  sources: { 'demo-audit': 'Demo Cloud audit log (one JSON line per API call)' },
  format: (r) => (isDemoRecord(r) ? 'demo-audit' : undefined),
  normalize(r, ref, context) {
    if (!isDemoRecord(r)) return undefined;
    const agent = str(r.agent);
    const action = str(r.action) ?? '';
    const result = str(r.result);
    const ip = str(r.ip);
    return {
      time: parseTime(r.demoTime, 'demoTime'),
      cloud: 'demo',
      source: 'demo-audit',
      account: str(r.project),
      region: null,
      actor: {
        principal: str(r.caller) ?? 'unknown',
        type: 'user',
        role: null,
        credential: 'session',
        keyId: null,
        session: null,
        mfa: null,
        compute: null,
      },
      client: { ...context.userAgent(agent), appId: null, evidence: agent ?? '' },
      src: { ip, network: context.network(ip, null) },
      service: action.split('.')[0] ?? '',
      operation: action,
      target: str(r.target),
      access: /\.(get|list)$/.test(action) ? 'read' : 'write',
      outcome: result === 'ok' ? 'success' : result === null ? 'unknown' : 'failure',
      error: result === 'ok' ? null : result,
      accessDenied: result === 'denied',
      ref,
    };
  },
  // The demo CLI's user agent: `democli/1.4 (linux)`.
  clients: { userAgents: [{ pattern: /^democli\//, kind: 'cli', tool: 'democli' }] },
};
