/**
 * Azure's part of `cloudward detect`: the Activity Log (diagnostic export and `az monitor activity-log list`), Entra
 * ID sign-ins and audit logs (Graph and diagnostic exports), and their Log Analytics tables; the Azure CLI's and
 * PowerShell's clients, Azure's service tags and the diagnostic blobs' `y=/m=/d=/h=` paths.
 */
import type { AuditLogContext, AuditLogs } from '../../../events/audit-logs.js';
import type { DetectEvent, EventRef } from '../../../events/event.js';
import { obj, recordList, type Rec } from '../../../events/record.js';
import { AZURE_USER_AGENTS } from './clients.js';
import { fromAzureActivity, fromEntraAudit, fromLogAnalytics, fromSignIn, LOG_ANALYTICS_TABLES } from './records.js';

type AzureShape = 'log-analytics' | 'entra-signin' | 'entra-audit' | 'azure-activity';

/** Which of Azure's logs a record is from, read from its shape; undefined when none. */
function azureShape(r: Rec): AzureShape | undefined {
  if (typeof r.TimeGenerated === 'string' && typeof r.Type === 'string' && LOG_ANALYTICS_TABLES.has(r.Type))
    return 'log-analytics';
  if (typeof r.createdDateTime === 'string' && 'appId' in r) return 'entra-signin';
  if (/SignInLogs$/.test(String(r.category ?? '')) && obj(r.properties)) return 'entra-signin';
  // Entra ID audit logs: diagnostic settings (`category: AuditLogs`, fields under properties) and Graph directoryAudits.
  if (r.category === 'AuditLogs' && obj(r.properties)) return 'entra-audit';
  if (typeof r.activityDateTime === 'string' && obj(r.initiatedBy)) return 'entra-audit';
  if ('operationName' in r && ('eventTimestamp' in r || 'resourceId' in r || 'time' in r)) return 'azure-activity';
  return undefined;
}

function normalizeAzureRecord(r: Rec, ref: EventRef, context: AuditLogContext): DetectEvent | undefined {
  switch (azureShape(r)) {
    case 'log-analytics':
      return normalizeAzureRecord(fromLogAnalytics(r), ref, context);
    case 'entra-audit':
      return fromEntraAudit(
        typeof r.activityDateTime === 'string'
          ? r
          : { ...obj(r.properties), tenantId: r.tenantId, callerIpAddress: r.callerIpAddress, time: r.time },
        ref,
        context,
      );
    case 'entra-signin':
      return fromSignIn(
        typeof r.createdDateTime === 'string' ? r : { ...obj(r.properties), createdDateTime: r.time },
        ref,
        context,
      );
    case 'azure-activity':
      return fromAzureActivity(r, ref, context);
    default:
      return undefined;
  }
}

export const azureAuditLogs: AuditLogs = {
  title: 'Azure Activity Log, Entra sign-in or audit',
  sources: {
    'azure-activity': 'Azure Activity Log (Azure Resource Manager operations)',
    'entra-signin': 'Microsoft Entra ID sign-ins',
    'entra-audit': 'Microsoft Entra ID audit log (directory changes)',
  },
  format: (r) => {
    const shape = azureShape(r);
    return shape === 'log-analytics' ? `log-analytics ${String(r.Type)}` : shape;
  },
  normalize: normalizeAzureRecord,
  // Only sign-ins say how they were made (Graph beta and the diagnostic export; v1.0 exports none).
  fieldsOnlyIn: { signInMethod: 'entra-signin' },
  clients: { userAgents: AZURE_USER_AGENTS, cloudShell: ['cloud-shell/'] },
  ipRanges: {
    source: 'https://www.microsoft.com/download/details.aspx?id=56519 (ServiceTags_Public_*.json)',
    file: 'an Azure ServiceTags_Public_*.json',
    read: (doc) =>
      typeof doc.changeNumber === 'number' && Array.isArray(doc.values)
        ? {
            prefixes: [
              ...new Set(
                recordList(doc.values).flatMap((v) =>
                  Array.isArray((v.properties as Record<string, unknown> | undefined)?.addressPrefixes)
                    ? ((v.properties as Record<string, unknown>).addressPrefixes as string[])
                    : [],
                ),
              ),
            ],
            published: `changeNumber ${doc.changeNumber} (${String(doc.cloud ?? 'Public')})`,
          }
        : undefined,
  },
  // Diagnostic settings write one blob per hour: insights-activity-logs/resourceId=/.../y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json.
  pathTimes: [{ pattern: /\/y=(\d{4})\/m=(\d\d)\/d=(\d\d)\/h=(\d\d)\/m=(\d\d)\/[^/]+$/ }],
};
