/**
 * `cloudward permissions <provider>` is generated from the adapter's declared operations: the permissions (and
 * licences) they need, grouped by where they are used. A provider renders them in its own policy format (an IAM
 * policy for AWS, a custom role definition for Azure, a role's permission list for GCP); `permissionsText` is the
 * plain listing any provider can use.
 */
import type { OperationDeclaration } from '../types.js';

export type OperationLevel = NonNullable<OperationDeclaration['level']>;

/** The distinct permissions operations of a level need, sorted (operations without one need none). */
export function permissionsOf(operations: readonly OperationDeclaration[], level?: OperationLevel): string[] {
  const chosen = operations.filter((o) => level === undefined || (o.level ?? 'scope') === level);
  return [...new Set(chosen.flatMap((o) => (o.permission ? [o.permission] : [])))].sort();
}

/** The distinct licences the operations need, with the topics that stay unknown without them. */
export function licencesOf(operations: readonly OperationDeclaration[]): Array<{ licence: string; topics: string[] }> {
  const by = new Map<string, Set<string>>();
  for (const o of operations)
    if (o.licence && o.topic) (by.get(o.licence) ?? by.set(o.licence, new Set()).get(o.licence)!).add(o.topic);
  return [...by]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([licence, topics]) => ({ licence, topics: [...topics].sort() }));
}

/** A plain text listing: one permission per line under each level, then licences. */
export function permissionsText(title: string, operations: readonly OperationDeclaration[]): string {
  const heading: Record<OperationLevel, string> = {
    scope: 'In every scope read',
    organization: 'Once, for the organization or tenant (caller credentials)',
    enter: 'To enter each scope',
  };
  const lines = [`# ${title}: read-only permissions cloudward needs`];
  for (const level of ['scope', 'organization', 'enter'] as const) {
    const permissions = permissionsOf(operations, level);
    if (permissions.length === 0) continue;
    lines.push('', `## ${heading[level]}`, ...permissions);
  }
  const licences = licencesOf(operations);
  if (licences.length > 0) {
    lines.push('', '## Licences (without them these topics are recorded as gaps)');
    for (const l of licences) lines.push(`${l.licence}: ${l.topics.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The call ids (as a fake server records them, e.g. `iam:ListRoles`) that no operation declares; tests assert none. */
export function undeclaredCalls(operations: readonly OperationDeclaration[], calls: Iterable<string>): string[] {
  const declared = new Set(operations.map((o) => o.id));
  return [...new Set(calls)].filter((id) => !declared.has(id)).sort();
}
