import { describePath, type EscalationPath, type PathStep } from './evidence.js';
import { joinGrants, grantScore, judgeWindow, stepFacts, windowCondition, type Grant, type Window } from './grant.js';

/** What the kit needs of a node: a stable uid (paths are keyed by it) and the name path texts show. */
export interface GraphNode {
  uid: string;
  name: string;
}

/** The kind of the edge from a node that holds admin already to `admin` (never part of a path shown). */
export const HOLDS_ADMIN = 'holds-admin';

/**
 * An edge `from -> to`: whoever holds `from`'s credentials can act as `to` (to a hub: as any of its members), or, to
 * `admin`, can make itself (or, with `via`, another principal) an administrator.
 */
export interface Edge {
  from: number;
  to: number;
  /** The grant that makes the step, as its path shows it. */
  action: string;
  kind: string;
  grant: Grant;
  /** When the grant is in force; judged at the graph's time when the edge is added. */
  window?: Window;
  note?: string;
  /** Steps of a composite edge (an edit on another principal followed by the path to it). */
  via?: PathStep[];
}

/** A hub's member: the node reached, and what leaving the hub for it rests on. */
export interface HubMember {
  to: number;
  grant: Grant;
  action?: string;
}

export interface GraphOptions {
  /** The snapshot's time (its collectedAt), at which edge windows are judged; unknown leaves them undecided. */
  at?: string;
}

/**
 * The escalation graph of one snapshot: the provider's nodes (indices 0..n-1), one `admin` node, and hub nodes for
 * "every member of a class" that wildcard grants point at. Search is breadth-first and linear in nodes plus edges.
 */
export class EscalationGraph<N extends GraphNode> {
  readonly admin: number;
  readonly edges: Edge[] = [];
  /** Outgoing edge indices per node. */
  readonly out: number[][] = [];
  private readonly hubs = new Map<string, number>();
  private readonly holders: Uint8Array;
  private total: number;
  /** Edges not added because their window excludes the graph's time. */
  outside = 0;

  constructor(
    readonly nodes: readonly N[],
    private readonly options: GraphOptions = {},
  ) {
    for (let i = 0; i < nodes.length; i++) this.out.push([]);
    this.total = nodes.length;
    this.holders = new Uint8Array(nodes.length);
    this.admin = this.addNode();
  }

  private addNode(): number {
    this.out.push([]);
    return this.total++;
  }

  isHub(index: number): boolean {
    return index >= this.nodes.length && index !== this.admin;
  }

  /** Adds an edge unless it is a loop or its window excludes the graph's time; an undecided window becomes a condition. */
  addEdge(edge: Edge): void {
    if (edge.from === edge.to) return;
    if (edge.window) {
      const verdict = judgeWindow(edge.window, this.options.at);
      if (verdict === 'outside') {
        this.outside++;
        return;
      }
      if (verdict === 'undecided')
        edge = { ...edge, grant: joinGrants(edge.grant, { conditions: [windowCondition(edge.window)], mfa: false }) };
    }
    this.out[edge.from]!.push(this.edges.length);
    this.edges.push(edge);
  }

  /** Marks a node that holds admin already: it is the end of every path through it and has none of its own. */
  holdsAdmin(index: number): void {
    this.holders[index] = 1;
    this.addEdge({ from: index, to: this.admin, action: '', kind: HOLDS_ADMIN, grant: { conditions: [], mfa: false } });
  }

  /**
   * The hub for "every member of a class" under `key`, created once with its member edges: a caller whose grant names
   * the whole class adds one edge to it instead of one per member, and passing it is no extra step.
   */
  hub(key: string, members: () => HubMember[]): number {
    let index = this.hubs.get(key);
    if (index === undefined) {
      index = this.addNode();
      this.hubs.set(key, index);
      for (const m of members())
        this.addEdge({ from: index, to: m.to, action: m.action ?? '', kind: '', grant: m.grant });
    }
    return index;
  }

  /**
   * Each node's shortest path to admin, for those that do not hold it already, keyed by uid: the fewest steps, then
   * the fewest undecided conditions and MFA needs (summed over the steps), then the first edge added, direct edges
   * before hubs. `label` words a step for the path's text.
   */
  paths(label: (step: PathStep, start: N) => string): Map<string, EscalationPath> {
    const incoming: number[][] = Array.from({ length: this.total }, () => []);
    this.edges.forEach((e, index) => incoming[e.to]!.push(index));
    const next = new Int32Array(this.total).fill(-1);
    const distance = new Int32Array(this.total).fill(-1);
    const cost = new Int32Array(this.total);
    distance[this.admin] = 0;
    const queue = [this.admin];
    // Breadth-first over reversed edges. Entering a hub and leaving it to a member is one step: a hub takes its best
    // member's distance and its callers are reached at once, one further.
    const reach = (e: number, via: number): void => {
      const from = this.edges[e]!.from;
      const d = distance[via]! + (this.isHub(from) ? 0 : 1);
      const c = cost[via]! + grantScore(this.edges[e]!.grant);
      if (distance[from] === -1) {
        distance[from] = d;
        if (!this.isHub(from)) queue.push(from);
      } else if (distance[from] !== d || c >= cost[from]!) return;
      cost[from] = c;
      next[from] = e;
      if (this.isHub(from)) for (const f of incoming[from]!) reach(f, from);
    };
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      const into = incoming[node]!;
      for (const e of into) if (!this.isHub(this.edges[e]!.from)) reach(e, node);
      for (const e of into) if (this.isHub(this.edges[e]!.from)) reach(e, node);
    }
    const result = new Map<string, EscalationPath>();
    this.nodes.forEach((p, i) => {
      if (this.holders[i] === 1 || distance[i] === -1) return;
      const route: number[] = [];
      for (let node = i; node !== this.admin; node = this.edges[next[node]!]!.to) route.push(next[node]!);
      result.set(
        p.uid,
        describePath(p.name, this.render(route), (step) => label(step, p)),
      );
    });
    return result;
  }

  /**
   * Breadth-first from `start` over edges between nodes to the nearest node `judge` accepts, with the route there (edge
   * indices). Passing a hub is part of the step that enters it (a wildcard grant is as short as a direct one, and at
   * equal length the direct edge is taken); each node is judged when first reached, so the search stops there
   * instead of queueing the rest of a hub's members. Nodes `within` marks 0 are never entered.
   */
  nearest<T>(
    start: number,
    judge: (node: number) => T | null,
    within?: Uint8Array,
  ): { node: number; value: T; route: number[] } | null {
    const previous = new Map<number, number>([[start, -1]]);
    const queue = [start];
    let found: { node: number; value: T } | null = null;
    const reach = (e: number): boolean => {
      const to = this.edges[e]!.to;
      if (to === this.admin || previous.has(to) || within?.[to] === 0) return false;
      previous.set(to, e);
      if (this.isHub(to)) return this.out[to]!.some(reach);
      const value = judge(to);
      if (value !== null) found = { node: to, value };
      queue.push(to);
      return value !== null;
    };
    search: for (let head = 0; head < queue.length; head++) {
      const out = this.out[queue[head]!]!;
      for (const e of out) if (!this.isHub(this.edges[e]!.to) && reach(e)) break search;
      for (const e of out) if (this.isHub(this.edges[e]!.to) && reach(e)) break search;
    }
    if (!found) return null;
    const { node, value } = found as { node: number; value: T };
    const route: number[] = [];
    for (let e = previous.get(node)!; e !== -1; e = previous.get(this.edges[e]!.from)!) route.unshift(e);
    return { node, value, route };
  }

  /** Every node (hubs included) from which one of `seeds` is reachable over edges between nodes, the seeds included. */
  reaching(seeds: readonly number[]): Uint8Array {
    const incoming: number[][] = Array.from({ length: this.total }, () => []);
    this.edges.forEach((e, index) => {
      if (e.to !== this.admin) incoming[e.to]!.push(index);
    });
    const marked = new Uint8Array(this.total);
    const queue = [...seeds];
    for (const n of seeds) marked[n] = 1;
    for (let head = 0; head < queue.length; head++) {
      for (const e of incoming[queue[head]!]!) {
        const from = this.edges[e]!.from;
        if (marked[from] === 1) continue;
        marked[from] = 1;
        queue.push(from);
      }
    }
    return marked;
  }

  /** What a route (edge indices) rests on, summed over its edges. */
  grantAlong(route: readonly number[]): Grant {
    return joinGrants(...route.map((e) => this.edges[e]!.grant));
  }

  /** The steps of a route (edge indices), with hub hops folded into the step that enters the hub. */
  render(route: readonly number[]): PathStep[] {
    const steps: PathStep[] = [];
    for (let k = 0; k < route.length; k++) {
      const edge = this.edges[route[k]!]!;
      if (this.isHub(edge.from)) continue;
      if (edge.via) {
        steps.push(...edge.via);
        continue;
      }
      let to = edge.to;
      let grant = edge.grant;
      if (this.isHub(to) && k + 1 < route.length) {
        const next = this.edges[route[k + 1]!]!;
        to = next.to;
        grant = joinGrants(grant, next.grant);
      }
      if (edge.kind === HOLDS_ADMIN) continue;
      const edit = to === this.admin;
      steps.push({
        from: this.nodes[edge.from]!.uid,
        action: edge.action,
        to: edit ? 'admin' : this.nodes[to]!.uid,
        kind: edge.kind,
        ...(edit ? { edit: true as const } : {}),
        ...stepFacts(grant),
        ...(edge.note ? { note: edge.note } : {}),
      });
    }
    return steps;
  }

  /** Numbers of nodes, edges and hubs, for benchmarks and the scale tests. */
  get size(): { nodes: number; edges: number; hubs: number } {
    return { nodes: this.nodes.length, edges: this.edges.length, hubs: this.hubs.size };
  }
}
