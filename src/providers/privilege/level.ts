import type { EscalationPath } from './evidence.js';

/** A principal's privilege level as the snapshot records it. */
export type PrivilegeLevel = 'admin' | 'privileged' | 'none';

/**
 * A principal's level once the graph is searched: admin stays admin (it holds every permission itself); a principal
 * with a path to admin, or with the power to make another principal one, is privileged (the path or the power is
 * the reason); otherwise its own level, judged from its permissions alone.
 */
export function levelByReach(
  own: PrivilegeLevel,
  reach: { path?: EscalationPath; grantsAdmin?: boolean },
): PrivilegeLevel {
  if (own === 'admin') return 'admin';
  return reach.path !== undefined || reach.grantsAdmin === true ? 'privileged' : own;
}
