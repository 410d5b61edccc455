/**
 * The privilege-graph kit: who can become whom, and so who can become an administrator and by which shortest path,
 * for any provider. The kit knows nothing of IAM, Entra or Cloud IAM; a provider builds its graph with its own rules:
 *
 * 1. `new EscalationGraph(nodes, { at: collectedAt })`: one node per principal (a user, group, role, service
 *    principal, managed identity, service account), each with a `uid` and the `name` path texts show.
 * 2. `graph.holdsAdmin(i)` for each principal that is an administrator already.
 * 3. `graph.addEdge({ from, to, action, kind, grant })` for each way `from` can act as `to`: assuming a role, owning an
 *    app whose service principal it then signs in as, running code on a VM as its managed identity, minting a token
 *    for another service account. `action` names the grant that makes the edge (the path's evidence); `grant` holds
 *    the conditions the provider could not decide at the snapshot's time (those that fail drop the edge); `window`
 *    (notBefore/notAfter) is judged at `at`, so an expired eligible assignment does not count.
 * 4. For a grant over a whole class (every role of an account, every VM's identity in a subscription, every service
 *    account of a project), one edge to `graph.hub(key, members)` instead of one per member: the graph grows with
 *    grants plus members, not their product, and passing a hub is no extra step.
 * 5. An edge to `graph.admin` for an edit that makes `from` an administrator (attaching an admin policy, adding an
 *    owner role assignment); `graph.nearest` and `via` let an editor's path run through another principal it edits.
 * 6. `graph.paths(label)`: each principal's shortest path to admin (fewest steps, then fewest undecided conditions and
 *    MFA needs), as `EscalationPath` evidence; `levelByReach` turns it into the principal's level.
 *
 * Pure and provider-free: nothing here imports a provider.
 */
export { describePath, type EscalationPath, type PathStep, type StepLabel } from './evidence.js';
export { EscalationGraph, HOLDS_ADMIN, type Edge, type GraphNode, type GraphOptions, type HubMember } from './graph.js';
export {
  betterGrant,
  grantScore,
  joinGrants,
  judgeWindow,
  stepFacts,
  UNCONDITIONAL,
  windowCondition,
  type Grant,
  type Window,
} from './grant.js';
export { levelByReach, type PrivilegeLevel } from './level.js';
