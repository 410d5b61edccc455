/**
 * Live collection: one account (the caller's), or with `--org-role` every active account of the organization,
 * entered through that read-only role with bounded concurrency. A failing account is a bundle full of gaps, never an
 * abort; only "no credentials at all" or "cannot list the organization" stop the run (exit 2).
 */
import { paginateListAccounts } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { UserError } from '../../errors.js';
import { wholeNumber } from '../cloud/options.js';
import type { CollectContext, RawBundle, RawDocument } from '../types.js';
import { collectScopes, collectionTime } from '../cloud/scopes.js';
import { createRawWriter } from '../cloud/raw-out.js';
import { createStats, type CallStats } from '../cloud/stats.js';
import {
  createClients,
  destroyClients,
  errorBody,
  isCredentialsMissing,
  type AwsClients,
  type ClientSettings,
} from './clients.js';
import {
  DEFAULT_POLLING,
  parentChainReader,
  readAccount,
  readServiceControlPolicies,
  type ReportPolling,
} from './collect-account.js';
import { accountBundle } from './bundle.js';
import { DocumentKind, managementAccountOf, type ErrorBody } from './documents.js';
import { rawFiles } from './raw-files.js';
import type { AwsCollectOptions, AwsTestHooks } from './index.js';

/** Collection settings parsed from the CLI options (`--profile`, `--region`, ...). */
interface AwsCollectSettings {
  client: ClientSettings;
  orgRole?: string;
  concurrency: number;
  polling: ReportPolling;
}

/** Reads the adapter's options; an invalid value is a UserError naming the flag. */
function collectSettings(options: AwsCollectOptions, hooks: AwsTestHooks = {}): AwsCollectSettings {
  const endpoint = options.endpointUrl;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UserError(`--endpoint-url must be an http(s) URL, not "${endpoint}"`, {
      where: '--endpoint-url',
      hint: 'e.g. --endpoint-url http://127.0.0.1:4566',
    });
  }
  const orgRole = options.orgRole;
  if (orgRole !== undefined && !/^[\w+=,.@/-]{1,64}$/.test(orgRole)) {
    throw new UserError(`--org-role must be an IAM role name, not "${orgRole}"`, {
      where: '--org-role',
      hint: 'e.g. --org-role CloudwardAudit',
    });
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client: ClientSettings = { region, maxAttempts: wholeNumber(options.maxAttempts, '--max-attempts', 8, 1, 20) };
  if (endpoint) client.endpoint = endpoint;
  if (options.profile !== undefined) client.profile = options.profile;
  if (hooks.credentials) client.credentials = hooks.credentials;
  return {
    client,
    ...(orgRole ? { orgRole } : {}),
    concurrency: wholeNumber(options.concurrency, '--concurrency', 4, 1, 64),
    polling: { ...DEFAULT_POLLING, ...hooks.polling },
  };
}

async function callerIdentity(clients: AwsClients): Promise<{ account: string; partition: string }> {
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    const partition = /^arn:([^:]+):/.exec(identity.Arn ?? '')?.[1] ?? 'aws';
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    return { account: identity.Account, partition };
  } catch (error) {
    if (isCredentialsMissing(error)) {
      throw new UserError('no AWS credentials found', {
        where: 'sts:GetCallerIdentity',
        hint: 'set AWS_PROFILE or pass --profile, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
      });
    }
    const body = errorBody('GetCallerIdentity', error);
    throw new UserError(`cannot identify the caller: ${body.Code}: ${body.Message}`, {
      where: 'sts:GetCallerIdentity',
      hint: 'check the credentials (expired session? wrong profile?) and --endpoint-url',
    });
  }
}

async function listActiveAccounts(clients: AwsClients): Promise<string[]> {
  const accounts: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client: clients.organizations }, {})) {
      for (const account of page.Accounts ?? []) {
        const state = (account as { State?: string }).State ?? account.Status;
        if (account.Id && state === 'ACTIVE') accounts.push(account.Id);
      }
    }
  } catch (error) {
    const body = errorBody('ListAccounts', error);
    throw new UserError(`--org-role needs the organization's account list: ${body.Code}: ${body.Message}`, {
      where: 'organizations:ListAccounts',
      hint: 'run from the management account (or a delegated administrator) with organizations:ListAccounts, or drop --org-role',
    });
  }
  return accounts.sort();
}

/** Collects the caller's account, or every active account of the organization (of the shard) with --org-role. */
export async function collectAws(context: CollectContext<AwsCollectOptions, AwsTestHooks>): Promise<RawBundle[]> {
  const settings = collectSettings(context.options, context.hooks);
  const stats = createStats();
  const base = createClients(settings.client, stats);
  const raw = context.rawOut ? createRawWriter(context.rawOut) : undefined;
  try {
    const caller = await callerIdentity(base);
    // The account list and the SCPs (read once for the organization, copied into every account) are read side by side.
    const [accounts, scps] = await Promise.all([
      settings.orgRole ? listActiveAccounts(base) : [caller.account],
      readServiceControlPolicies(base),
    ]);
    // SCPs on the root and on every OU above an account narrow it (not the management account): its OU path is read.
    const inOrganization = scps.some((d) => d.kind === DocumentKind.scpList);
    const management = managementAccountOf(scps.map((d) => d.body));
    const parentsOf = parentChainReader(base);
    return await collectScopes(
      context,
      { scopes: accounts, idOf: (id) => id, concurrency: settings.concurrency, label: 'aws: account', stats },
      async (accountId) => {
        const collectedAt = collectionTime(context);
        const documents = [...scps];
        // The OU path is read with the caller's credentials, side by side with the account's own reads.
        const path = inOrganization && accountId !== management ? parentsOf(accountId) : Promise.resolve([]);
        const entered =
          accountId === caller.account
            ? { clients: base }
            : await assumeInto(base, settings, stats, caller.partition, accountId);
        if ('error' in entered) documents.push(entered.error);
        else {
          try {
            documents.push(
              ...(await readAccount(entered.clients, settings.polling, settings.client.region, (line) =>
                context.progress.status(`aws: account ${accountId}: ${line}`),
              )),
            );
          } finally {
            if (entered.clients !== base) destroyClients(entered.clients);
          }
        }
        documents.push(...(await path));
        const bundle = accountBundle(accountId, 'live', collectedAt, documents);
        if (raw) await raw.writeScope(accountId, rawFiles(bundle));
        return bundle;
      },
    );
  } finally {
    destroyClients(base);
  }
}

/** Assumes the org role in one account; a failure is returned as an AssumeRole error document. */
async function assumeInto(
  base: AwsClients,
  settings: AwsCollectSettings,
  stats: CallStats,
  partition: string,
  accountId: string,
): Promise<{ clients: AwsClients } | { error: RawDocument }> {
  const roleArn = `arn:${partition}:iam::${accountId}:role/${settings.orgRole!}`;
  try {
    const output = await base.sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cloudward-audit', DurationSeconds: 3600 }),
    );
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return { clients: createClients({ ...settings.client, credentials }, stats) };
  } catch (error) {
    const body: ErrorBody = errorBody('AssumeRole', error, roleArn);
    return { error: { kind: DocumentKind.error, origin: 'sts:AssumeRole', body } };
  }
}
