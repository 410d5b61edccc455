/**
 * Path evidence: the shortest path to admin is the reason a principal is privileged, and each of its steps names the
 * grant that makes it (the action, the edge kind, what it rests on).
 */

/** One step of a path, as reports show it. */
export interface PathStep {
  /** uid of the principal taking the step. */
  from: string;
  /** The grant that makes the step, e.g. `sts:AssumeRole`, `Microsoft.Compute/virtualMachines/runCommand/action`. */
  action: string;
  /** uid reached (for an edit: the principal edited), or `admin`. */
  to: string;
  /** Edge kind, e.g. `assume-role`, `pass-role-lambda`, `attach-role-policy`. */
  kind: string;
  /** The step edits a principal's permissions (its action names the target) rather than moving to it. */
  edit?: true;
  /** Conditions the step rests on that the snapshot cannot decide. */
  conditions?: string[];
  /** The step needs an MFA-authenticated session. */
  mfa?: boolean;
  /** What the step assumes, e.g. that the compute's role is not in the snapshot. */
  note?: string;
}

/** A principal's shortest path to admin with what it rests on, summed over its steps. */
export interface EscalationPath {
  steps: PathStep[];
  /** `ci-runner -> sts:AssumeRole deploy -> iam:AttachRolePolicy on itself -> admin`. */
  text: string;
  /** Edge kinds along the path, e.g. `assume-role`, `attach-role-policy`. */
  kinds: string[];
  /**
   * The first step as the text words it (`sts:AssumeRole deploy`): the principal's own grant, the edge a remediation
   * cuts to take this path away from it without touching anyone else's.
   */
  firstStep: string;
  conditions: string[];
  mfa: boolean;
}

/** How a provider words one step of a path's text (`sts:AssumeRole deploy`). */
export type StepLabel = (step: PathStep) => string;

/** The evidence for a path from the principal named `start`: its text, edge kinds and the union of its conditions. */
export function describePath(start: string, steps: PathStep[], label: StepLabel): EscalationPath {
  const labels = steps.map(label);
  const text = [start, ...labels, 'admin'].join(' -> ');
  const conditions = [...new Set(steps.flatMap((s) => s.conditions ?? []))];
  const kinds = [...new Set(steps.map((s) => s.kind))];
  return { steps, text, kinds, firstStep: labels[0] ?? '', conditions, mfa: steps.some((s) => s.mfa === true) };
}
