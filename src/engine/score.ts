import { scopeKey } from '../snapshot/model.js';
import {
  MEASURES,
  MITIGATION_NAMES,
  SEVERITIES,
  SEVERITY_WEIGHT,
  type Check,
  type Mitigation,
  type Result,
  type Severity,
  type Status,
} from './types.js';

type StatusCounts = Record<Status, number>;

/** One cell of the scorecard: score 0-100 (null when nothing was evaluated) and what went into it. */
export interface ScoreCell {
  score: number | null;
  passWeight: number;
  totalWeight: number;
  counts: StatusCounts;
}

interface MeasureScore extends ScoreCell {
  id: string;
  /** How many loaded checks serve this measure; 0 means the measure is not assessed at all. */
  checks: number;
}

interface MitigationScore extends ScoreCell {
  id: Mitigation;
  name: string;
  measures: MeasureScore[];
}

export interface ScopeScore extends ScoreCell {
  uid: string;
  provider: string;
  kind: string;
  id: string;
  name?: string;
  /**
   * `not-assessed` when every result of the scope is unknown (its data could not be read): its score is then null,
   * not 0, since nothing was judged. (An account that failed to collect is not an account that failed every check.)
   */
  status?: 'assessed' | 'not-assessed';
  /** How many of the scope's results were decided (pass, fail or waived; not unknown), of all its results. */
  coverage?: { decided: number; results: number };
}

export interface Scorecard {
  overall: ScoreCell;
  mitigations: MitigationScore[];
  scopes: ScopeScore[];
  providers: Array<ScoreCell & { provider: string }>;
  /** Result counts by severity and status. */
  severities: Record<Severity, StatusCounts>;
}

function emptyCell(): ScoreCell {
  return { score: null, passWeight: 0, totalWeight: 0, counts: { pass: 0, fail: 0, unknown: 0, waived: 0 } };
}

function add(cell: ScoreCell, status: Status, weight: number): void {
  cell.counts[status]++;
  cell.totalWeight += weight;
  if (status === 'pass') cell.passWeight += weight;
}

function finish<T extends ScoreCell>(cell: T): T {
  cell.score = cell.totalWeight === 0 ? null : Math.round((cell.passWeight / cell.totalWeight) * 1000) / 10;
  return cell;
}

/** A scope's score, with its coverage, and no score at all when none of its results could be decided. */
function finishScope(cell: ScopeScore): ScopeScore {
  finish(cell);
  const { pass, fail, unknown, waived } = cell.counts;
  const results = pass + fail + unknown + waived;
  cell.status = unknown === results ? 'not-assessed' : 'assessed';
  cell.coverage = { decided: results - unknown, results };
  if (cell.status === 'not-assessed') cell.score = null;
  return cell;
}

/**
 * Weighted score (critical 10, high 5, medium 3, low 1): weight of `pass` over the weight of all results, per
 * mitigation, measure, provider scope, provider and overall. `unknown` and `waived` count as not passing.
 */
export function score(results: Result[], checks: Check[]): Scorecard {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const overall = emptyCell();
  const mitigations = new Map<Mitigation, MitigationScore>();
  const measures = new Map<string, MeasureScore>();
  for (const mitigation of Object.keys(MEASURES) as Mitigation[]) {
    const measureList = MEASURES[mitigation].map((id) => {
      const measure: MeasureScore = {
        ...emptyCell(),
        id,
        checks: checks.filter((c) => c.mitigation === mitigation && c.measure === id).length,
      };
      measures.set(`${mitigation}/${id}`, measure);
      return measure;
    });
    mitigations.set(mitigation, {
      ...emptyCell(),
      id: mitigation,
      name: MITIGATION_NAMES[mitigation],
      measures: measureList,
    });
  }
  const scopes = new Map<string, ScopeScore>();
  const scopeByObject = new Map<object, ScopeScore>();
  const providers = new Map<string, ScoreCell & { provider: string }>();
  const severities = Object.fromEntries(
    SEVERITIES.map((s) => [s, { pass: 0, fail: 0, unknown: 0, waived: 0 }]),
  ) as Record<Severity, StatusCounts>;

  // The cells a check's results count in, found once per check instead of once per result.
  const cellsOf = new Map<
    string,
    { weight: number; mitigation: ScoreCell; measure: ScoreCell; severity: StatusCounts }
  >();
  let lastScope: object | undefined;
  let lastScopeCell: ScopeScore | undefined;
  let lastProviderCell: (ScoreCell & { provider: string }) | undefined;
  let lastCheckId: string | undefined;
  let lastCells: { weight: number; mitigation: ScoreCell; measure: ScoreCell; severity: StatusCounts } | undefined;
  for (const result of results) {
    // Results come in runs of one check: the last check's cells are usually this one's.
    let cells = result.checkId === lastCheckId ? lastCells : cellsOf.get(result.checkId);
    if (!cells) {
      const check = byId.get(result.checkId);
      if (!check) continue;
      cells = {
        weight: SEVERITY_WEIGHT[check.severity],
        mitigation: mitigations.get(check.mitigation)!,
        measure: measures.get(`${check.mitigation}/${check.measure}`)!,
        severity: severities[check.severity],
      };
      cellsOf.set(result.checkId, cells);
    }
    lastCheckId = result.checkId;
    lastCells = cells;
    const weight = cells.weight;
    add(overall, result.status, weight);
    add(cells.mitigation, result.status, weight);
    add(cells.measure, result.status, weight);
    cells.severity[result.status]++;
    const { provider, scope } = result.resource;
    // A resource's results share its scope object, and results come in runs of one scope: reuse the last cells, else
    // look them up by identity before building the key string.
    if (scope !== lastScope) {
      let scopeCell = scopeByObject.get(scope);
      if (!scopeCell) {
        const key = scopeKey(provider, scope);
        scopeCell = scopes.get(key);
        if (!scopeCell) {
          scopeCell = {
            ...emptyCell(),
            uid: key,
            provider,
            kind: scope.kind,
            id: scope.id,
            ...(scope.name ? { name: scope.name } : {}),
          };
          scopes.set(key, scopeCell);
        }
        scopeByObject.set(scope, scopeCell);
      }
      let providerCell = providers.get(provider);
      if (!providerCell) providers.set(provider, (providerCell = { ...emptyCell(), provider }));
      lastScope = scope;
      lastScopeCell = scopeCell;
      lastProviderCell = providerCell;
    }
    add(lastScopeCell!, result.status, weight);
    add(lastProviderCell!, result.status, weight);
  }
  for (const m of mitigations.values()) {
    finish(m);
    m.measures.forEach(finish);
  }
  return {
    overall: finish(overall),
    mitigations: [...mitigations.values()],
    scopes: [...scopes.values()].map(finishScope).sort((a, b) => a.uid.localeCompare(b.uid)),
    providers: [...providers.values()].map(finish).sort((a, b) => a.provider.localeCompare(b.provider)),
    severities,
  };
}
