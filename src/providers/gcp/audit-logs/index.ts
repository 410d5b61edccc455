/**
 * Google Cloud's part of `cloudward detect`: Cloud Audit Logs entries (`gcloud logging read`, log sinks), gcloud's
 * and the Google SDKs' user agents, Google Cloud's published ranges and the hourly paths of Cloud Storage sinks.
 */
import { userAgentToken, type AuditLogs } from '../../../events/audit-logs.js';
import { obj, recordList } from '../../../events/record.js';
import { fromGcp } from './cloud-audit.js';

export const gcpAuditLogs: AuditLogs = {
  title: 'GCP audit log',
  sources: { 'gcp-audit': 'Google Cloud Audit Logs (Admin Activity and Data Access)' },
  format: (r) => (obj(r.protoPayload) ? 'gcp-audit' : undefined),
  normalize: (r, ref, context) => (obj(r.protoPayload) ? fromGcp(r, ref, context) : undefined),
  clients: {
    // gcloud names its environment; Cloud Shell's is devshell.
    cloudShell: ['environment/devshell'],
    userAgents: [
      {
        pattern: /gcloud\/|^google-cloud-sdk/,
        kind: 'cli',
        tool: 'gcloud',
        scripted: (ua) => {
          const script = /from-script\/(True|False)/i.exec(ua);
          return script ? script[1]!.toLowerCase() === 'true' : null;
        },
      },
      { pattern: /google-api-|gl-python\/|grpc-/, kind: 'sdk', tool: userAgentToken, late: true },
    ],
  },
  ipRanges: {
    source: 'https://www.gstatic.com/ipranges/cloud.json',
    file: 'Google cloud.json',
    read: (doc) =>
      typeof doc.creationTime === 'string' && Array.isArray(doc.prefixes)
        ? {
            prefixes: recordList(doc.prefixes).map((p) => String(p.ipv4Prefix ?? p.ipv6Prefix)),
            published: doc.creationTime,
          }
        : undefined,
  },
  // A Cloud Storage sink writes one file per hour: YYYY/MM/DD/HH:00:00_HH:59:59_S0.json.
  pathTimes: [{ pattern: /\/(\d{4})\/(\d\d)\/(\d\d)\/(\d\d):(\d\d):\d\d_[^/]+$/ }],
};
