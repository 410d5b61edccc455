/**
 * Reads the JSON that `terraform show -json PLANFILE` (or `tofu show -json PLANFILE`) prints, checks that it is a
 * plan in a format version this code reads, and turns its resource changes into one typed list, each change beside
 * the configuration that declared it (for references and source locations). Anything else is one UserError line.
 */
import { UserError } from '../../errors.js';
import { readInputBytes, decodeText } from '../../util/files.js';
import { parseJsonText } from '../../util/json.js';

/** The major version of the plan JSON format read here (Terraform 1.x and OpenTofu 1.x write 1.x). */
export const PLAN_FORMAT_MAJOR = 1;

const SHOW_HINT = 'pass the output of `terraform show -json PLANFILE` (or `tofu show -json PLANFILE`)';

/** What a planned change does to its resource instance. `replace` is Terraform's delete-then-create (or the reverse). */
export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'no-op' | 'read';

/** A configuration expression as the plan's `configuration` block records it. */
export interface PlanExpression {
  constant_value?: unknown;
  references?: string[];
}

/** One resource instance change, with what the configuration says about it. */
export interface PlanChange {
  /** The instance address, e.g. `module.iam.aws_iam_user_policy_attachment.ops_admin["bob"]`. */
  address: string;
  /** The module instance address (`module.iam`), empty for the root module. */
  moduleAddress: string;
  type: string;
  name: string;
  mode: 'managed' | 'data';
  /** Provider source address, e.g. `registry.terraform.io/hashicorp/aws`. */
  providerName: string;
  action: PlanAction;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Attributes (top-level names) whose planned value is known only after apply. */
  afterUnknown: Set<string>;
  /** Attributes (top-level names) marked sensitive before or after. */
  sensitive: Set<string>;
  /** The resource's expressions in the configuration, when the plan carries them. */
  expressions: Record<string, unknown>;
  /** The provider configuration key (`aws`, `aws.prod`) the resource uses. */
  providerConfigKey?: string;
}

/** A provider configuration block of the plan (`configuration.provider_config`). */
export interface PlanProviderConfig {
  name: string;
  expressions: Record<string, unknown>;
}

/**
 * A data source as the plan read it: from `prior_state` (where `terraform plan` records every data source it could
 * read while planning), or a `read` change whose result is known. Its provider block comes from the configuration.
 */
export interface PlanDataSource {
  address: string;
  type: string;
  values: Record<string, unknown>;
  /** The data source's arguments in the configuration (`project_id`, `subscription_id`, ...). */
  expressions: Record<string, unknown>;
  providerConfigKey?: string;
}

/** A managed resource as the prior state holds it: its known values, for the ids and ARNs they name. */
export interface PlanPriorResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
  providerConfigKey?: string;
}

export interface Plan {
  file: string;
  formatVersion: string;
  terraformVersion?: string;
  changes: PlanChange[];
  providerConfigs: Map<string, PlanProviderConfig>;
  /** Each module call's `source` (`./modules/iam`), by config module path (`module.iam`), for source locations. */
  moduleSources: Map<string, string>;
  /** Data sources whose values the plan knows. */
  dataSources: PlanDataSource[];
  /** Managed resources of the prior state (what exists before the plan applies). */
  priorResources: PlanPriorResource[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function notAPlan(file: string, why: string, hint = SHOW_HINT): UserError {
  return new UserError(`not a Terraform/OpenTofu plan: ${why}`, { where: file, hint });
}

/** Names what a non-JSON file probably is: a binary plan file (a zip), HCL configuration, or something else. */
function describeNonJson(bytes: Buffer, text: string, file: string): UserError | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return notAPlan(
      file,
      'this is a binary plan file',
      'convert it first: `terraform show -json PLANFILE > plan.json`',
    );
  }
  if (
    /^\s*(resource|provider|terraform|module|variable|data|locals|output)\s+("[^"]*"\s*)*\{/m.test(text) &&
    !/^\s*[[{]/.test(text)
  ) {
    return notAPlan(
      file,
      'this is HCL configuration',
      'run `terraform plan -out PLANFILE` and pass `terraform show -json PLANFILE`',
    );
  }
  return undefined;
}

/** Top-level attribute names that an `after_unknown` / `*_sensitive` object marks (true, or a nested true). */
function markedAttributes(value: unknown): Set<string> {
  const out = new Set<string>();
  if (!isObject(value)) return out;
  const marked = (v: unknown): boolean =>
    v === true || (Array.isArray(v) ? v.some(marked) : isObject(v) ? Object.values(v).some(marked) : false);
  for (const [key, v] of Object.entries(value)) if (marked(v)) out.add(key);
  return out;
}

function actionOf(actions: unknown, where: string, file: string): PlanAction {
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string')) {
    throw notAPlan(`${file}#${where}/change/actions`, 'a resource change has no actions list');
  }
  const list = actions as string[];
  if (list.length === 2 && list.includes('delete') && list.includes('create')) return 'replace';
  if (list.length === 1 && ['create', 'update', 'delete', 'no-op', 'read'].includes(list[0]!))
    return list[0] as PlanAction;
  if (list.length === 1 && list[0] === 'forget') return 'delete';
  throw new UserError(`unknown planned action ${JSON.stringify(list)}`, {
    where: `${file}#${where}/change/actions`,
    hint: 'this plan was written by a newer Terraform/OpenTofu than this cloudward knows; upgrade cloudward',
  });
}

/** The config-side address of an instance address: module instance keys and the resource's own key removed. */
export function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

/** Every resource of the configuration by its config address (`module.a.module.b.type.name`). */
function configurationIndex(
  configuration: unknown,
  sources: Map<string, string>,
): Map<string, { expressions: Record<string, unknown>; providerConfigKey?: string }> {
  const out = new Map<string, { expressions: Record<string, unknown>; providerConfigKey?: string }>();
  const walk = (module: unknown, prefix: string) => {
    if (!isObject(module)) return;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (!isObject(resource) || typeof resource.address !== 'string') continue;
      out.set(`${prefix}${resource.address}`, {
        expressions: isObject(resource.expressions) ? resource.expressions : {},
        ...(typeof resource.provider_config_key === 'string'
          ? { providerConfigKey: resource.provider_config_key }
          : {}),
      });
    }
    if (isObject(module.module_calls)) {
      for (const [name, call] of Object.entries(module.module_calls)) {
        if (!isObject(call)) continue;
        if (typeof call.source === 'string') sources.set(`${prefix}module.${name}`, call.source);
        walk(call.module, `${prefix}module.${name}.`);
      }
    }
  };
  if (isObject(configuration)) walk(configuration.root_module, '');
  return out;
}

/** Every resource of a `values` module tree (`root_module` with `resources` and `child_modules`). */
function stateResources(
  module: unknown,
  out: Array<Record<string, unknown>> = [],
  depth = 0,
): Array<Record<string, unknown>> {
  if (!isObject(module) || depth > 32) return out;
  for (const resource of Array.isArray(module.resources) ? module.resources : [])
    if (isObject(resource)) out.push(resource);
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : [])
    stateResources(child, out, depth + 1);
  return out;
}

/** The data sources and managed resources a plan's prior state holds, and the data sources it read with a known result. */
function knownState(
  value: Record<string, unknown>,
  configs: ReturnType<typeof configurationIndex>,
  changes: PlanChange[],
): { dataSources: PlanDataSource[]; priorResources: PlanPriorResource[] } {
  const dataSources: PlanDataSource[] = [];
  const priorResources: PlanPriorResource[] = [];
  const prior =
    isObject(value.prior_state) && isObject(value.prior_state.values)
      ? value.prior_state.values.root_module
      : undefined;
  for (const resource of stateResources(prior)) {
    if (typeof resource.address !== 'string' || typeof resource.type !== 'string' || !isObject(resource.values))
      continue;
    const config = configs.get(configAddress(resource.address));
    const key = config?.providerConfigKey ? { providerConfigKey: config.providerConfigKey } : {};
    if (resource.mode === 'data')
      dataSources.push({
        address: resource.address,
        type: resource.type,
        values: resource.values,
        expressions: config?.expressions ?? {},
        ...key,
      });
    else priorResources.push({ address: resource.address, type: resource.type, values: resource.values, ...key });
  }
  const read = new Set(dataSources.map((d) => d.address));
  for (const change of changes) {
    if (change.mode !== 'data' || change.after === null || read.has(change.address)) continue;
    const values = Object.fromEntries(Object.entries(change.after).filter(([k]) => !change.afterUnknown.has(k)));
    dataSources.push({
      address: change.address,
      type: change.type,
      values,
      expressions: change.expressions,
      ...(change.providerConfigKey ? { providerConfigKey: change.providerConfigKey } : {}),
    });
  }
  return { dataSources, priorResources };
}

/**
 * The non-empty string values of `attribute` of the data sources of `type` read through provider block `key` (the
 * default block when the configuration names none), leaving out those whose configuration sets one of `unless`
 * (a `data "google_project"` with `project_id` reads another project than the provider's).
 */
export function dataSourceValues(
  plan: Plan,
  type: string,
  key: string,
  attribute: string,
  unless: string[] = [],
): string[] {
  const out = new Set<string>();
  for (const source of plan.dataSources) {
    if (source.type !== type || (source.providerConfigKey ?? type.split('_')[0]) !== key) continue;
    if (unless.some((name) => source.expressions[name] !== undefined)) continue;
    const value = source.values[attribute];
    if (typeof value === 'string' && value !== '') out.add(value);
  }
  return [...out];
}

/** Validates a parsed plan document and builds the typed plan. */
export function parsePlan(value: unknown, file: string): Plan {
  if (!isObject(value)) throw notAPlan(file, 'the file does not hold a JSON object');
  if (typeof value.lineage === 'string' && typeof value.serial === 'number') {
    throw notAPlan(
      file,
      'this is a Terraform state file',
      'pass a plan: `terraform plan -out PLANFILE && terraform show -json PLANFILE > plan.json`',
    );
  }
  if (typeof value.schemaVersion === 'string' && Array.isArray(value.principals))
    throw notAPlan(file, 'this is a cloudward snapshot', 'pass the snapshot as an argument and the plan with --plan');
  if (typeof value.format_version !== 'string') throw notAPlan(file, 'no format_version');
  const major = Number(/^(\d+)\.\d+$/.exec(value.format_version)?.[1]);
  if (major !== PLAN_FORMAT_MAJOR) {
    throw new UserError(
      `plan format_version ${value.format_version} is not supported (this cloudward reads ${PLAN_FORMAT_MAJOR}.x)`,
      {
        where: `${file}#/format_version`,
        hint: 'write the plan with Terraform or OpenTofu 1.x (`terraform show -json PLANFILE`)',
      },
    );
  }
  if (isObject(value.values) && value.planned_values === undefined && value.resource_changes === undefined) {
    throw notAPlan(
      file,
      'this is the JSON of a state (`terraform show -json` without a plan file)',
      'pass `terraform show -json PLANFILE`, where PLANFILE was written by `terraform plan -out`',
    );
  }
  if (value.resource_changes !== undefined && !Array.isArray(value.resource_changes))
    throw notAPlan(`${file}#/resource_changes`, 'resource_changes is not a list');
  if (value.resource_changes === undefined && value.planned_values === undefined)
    throw notAPlan(file, 'it has neither resource_changes nor planned_values');
  if (value.errored === true) {
    throw new UserError('the plan errored: Terraform could not finish planning, so its changes are incomplete', {
      where: `${file}#/errored`,
      hint: 'fix the plan errors and run `terraform plan -out` again',
    });
  }

  const moduleSources = new Map<string, string>();
  const configs = configurationIndex(value.configuration, moduleSources);
  const changes = ((value.resource_changes as unknown[] | undefined) ?? []).map((item, index): PlanChange => {
    const where = `/resource_changes/${index}`;
    if (
      !isObject(item) ||
      typeof item.address !== 'string' ||
      typeof item.type !== 'string' ||
      !isObject(item.change)
    ) {
      throw notAPlan(`${file}#${where}`, 'a resource change lacks address, type or change');
    }
    const change = item.change;
    const config = configs.get(configAddress(item.address));
    return {
      address: item.address,
      moduleAddress: typeof item.module_address === 'string' ? item.module_address : '',
      type: item.type,
      name: typeof item.name === 'string' ? item.name : '',
      mode: item.mode === 'data' ? 'data' : 'managed',
      providerName: typeof item.provider_name === 'string' ? item.provider_name : '',
      action: actionOf(change.actions, where, file),
      before: isObject(change.before) ? change.before : null,
      after: isObject(change.after) ? change.after : null,
      afterUnknown: markedAttributes(change.after_unknown),
      sensitive: new Set([...markedAttributes(change.before_sensitive), ...markedAttributes(change.after_sensitive)]),
      expressions: config?.expressions ?? {},
      ...(config?.providerConfigKey ? { providerConfigKey: config.providerConfigKey } : {}),
    };
  });
  const providerConfigs = new Map<string, PlanProviderConfig>();
  const configuration = isObject(value.configuration) ? value.configuration : {};
  if (isObject(configuration.provider_config)) {
    for (const [key, config] of Object.entries(configuration.provider_config)) {
      if (isObject(config))
        providerConfigs.set(key, {
          name: typeof config.name === 'string' ? config.name : key,
          expressions: isObject(config.expressions) ? config.expressions : {},
        });
    }
  }
  return {
    file,
    formatVersion: value.format_version,
    ...(typeof value.terraform_version === 'string' ? { terraformVersion: value.terraform_version } : {}),
    changes,
    providerConfigs,
    moduleSources,
    ...knownState(value, configs, changes),
  };
}

/** Plans are a few MB even for thousands of changes; a much larger file is a mistake. */
const MAX_PLAN_BYTES = 512 * 1024 * 1024;

/** Reads and validates a plan file (`--plan`). */
export async function loadPlan(file: string): Promise<Plan> {
  const bytes = await readInputBytes(file, 'plan file', MAX_PLAN_BYTES);
  const text = decodeText(bytes);
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    throw describeNonJson(bytes, text, file) ?? notAPlan(file, 'the file is not JSON');
  }
  return parsePlan(parseJsonText(text, file, 'plan JSON'), file);
}

/** The constant value of a configuration expression, if it has one. */
export function constantOf(expressions: Record<string, unknown>, name: string): unknown {
  const expression = expressions[name];
  return isObject(expression) ? expression.constant_value : undefined;
}

/** The references of a configuration expression (`["aws_iam_policy.deploy.arn", "aws_iam_policy.deploy"]`). */
export function referencesOf(expressions: Record<string, unknown>, name: string): string[] {
  const expression = expressions[name];
  return isObject(expression) && Array.isArray(expression.references)
    ? expression.references.filter((r): r is string => typeof r === 'string')
    : [];
}
