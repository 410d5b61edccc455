import type { ExecutionPolicy, ExecutionPolicyScope } from '../../snapshot/model.js';

/** Precedence, highest first (about_Execution_Policies): Group Policy scopes win over everything a user can set. */
const SCOPE_PRECEDENCE: ExecutionPolicyScope[] = [
  'MachinePolicy',
  'UserPolicy',
  'Process',
  'CurrentUser',
  'LocalMachine',
];

/** `Microsoft.PowerShell.ExecutionPolicyScope` values, as `ConvertTo-Json` writes them (numbers). */
const SCOPE_NUMBERS: ExecutionPolicyScope[] = ['Process', 'CurrentUser', 'LocalMachine', 'UserPolicy', 'MachinePolicy'];

/** `Microsoft.PowerShell.ExecutionPolicy` values; 3 is both Restricted and Default. */
const POLICY_NUMBERS: ExecutionPolicy[] = [
  'Unrestricted',
  'RemoteSigned',
  'AllSigned',
  'Restricted',
  'Bypass',
  'Undefined',
];

const POLICY_NAMES: ExecutionPolicy[] = [
  'Restricted',
  'AllSigned',
  'RemoteSigned',
  'Unrestricted',
  'Bypass',
  'Undefined',
  'Default',
];

/** Reads a scope written as a number or a name; undefined when it is neither. */
function toScope(value: unknown): ExecutionPolicyScope | undefined {
  if (typeof value === 'number') return SCOPE_NUMBERS[value];
  if (typeof value === 'string') return SCOPE_PRECEDENCE.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  return undefined;
}

/** Reads a policy written as a number or a name; undefined when it is neither. */
function toPolicy(value: unknown): ExecutionPolicy | undefined {
  if (typeof value === 'number') return POLICY_NUMBERS[value];
  if (typeof value === 'string') return POLICY_NAMES.find((p) => p.toLowerCase() === value.trim().toLowerCase());
  return undefined;
}

/** True for the rows `Get-ExecutionPolicy -List | ConvertTo-Json` writes. */
export function isExecutionPolicyList(value: unknown): boolean {
  const rows = Array.isArray(value) ? value : [value];
  return (
    rows.length > 0 &&
    rows.every(
      (r) =>
        r !== null &&
        typeof r === 'object' &&
        toScope((r as Record<string, unknown>).Scope) !== undefined &&
        toPolicy((r as Record<string, unknown>).ExecutionPolicy) !== undefined,
    )
  );
}

interface EffectiveExecutionPolicy {
  executionPolicies: Partial<Record<ExecutionPolicyScope, ExecutionPolicy>>;
  effective: ExecutionPolicy;
  effectiveScope: ExecutionPolicyScope | 'Default';
}

/**
 * The policy PowerShell applies: the first scope in precedence order that is not Undefined. When all are
 * Undefined the built-in default applies: Restricted on Windows clients, RemoteSigned on Windows Server.
 */
export function effectiveExecutionPolicy(rows: unknown, server: boolean): EffectiveExecutionPolicy {
  const executionPolicies: Partial<Record<ExecutionPolicyScope, ExecutionPolicy>> = {};
  for (const row of Array.isArray(rows) ? rows : [rows]) {
    if (row === null || typeof row !== 'object') continue;
    const scope = toScope((row as Record<string, unknown>).Scope);
    const policy = toPolicy((row as Record<string, unknown>).ExecutionPolicy);
    if (scope && policy) executionPolicies[scope] = policy;
  }
  for (const scope of SCOPE_PRECEDENCE) {
    const policy = executionPolicies[scope];
    if (policy && policy !== 'Undefined')
      return {
        executionPolicies,
        effective: policy === 'Default' ? (server ? 'RemoteSigned' : 'Restricted') : policy,
        effectiveScope: scope,
      };
  }
  return { executionPolicies, effective: server ? 'RemoteSigned' : 'Restricted', effectiveScope: 'Default' };
}
