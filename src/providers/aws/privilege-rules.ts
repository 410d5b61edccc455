/**
 * The IAM actions that make escalation edges: services that run code as a passed role, calls that run code on
 * existing compute, credential takeovers of a user, and the policy edits that make a principal an administrator.
 */
import { statementCoversAction, type PolicyStatement } from './policy-document.js';
import type { GraphPrincipal } from './privilege-principals.js';

/** Services that run code as a role passed to them, and the calls that make them do it. */
interface PassRoleService {
  kind: string;
  principal: string;
  /** Alternatives; each is a list of groups, every group needs one of its actions. */
  needs: string[][][];
  instanceProfile?: boolean;
}

export const PASS_ROLE_SERVICES: readonly PassRoleService[] = [
  { kind: 'pass-role-ec2', principal: 'ec2.amazonaws.com', needs: [[['ec2:RunInstances']]], instanceProfile: true },
  {
    kind: 'pass-role-lambda',
    principal: 'lambda.amazonaws.com',
    needs: [
      [
        ['lambda:CreateFunction'],
        ['lambda:InvokeFunction', 'lambda:CreateEventSourceMapping', 'lambda:CreateFunctionUrlConfig'],
      ],
    ],
  },
  {
    kind: 'pass-role-cloudformation',
    principal: 'cloudformation.amazonaws.com',
    needs: [
      [['cloudformation:CreateStack']],
      [['cloudformation:CreateChangeSet'], ['cloudformation:ExecuteChangeSet']],
    ],
  },
  {
    kind: 'pass-role-glue',
    principal: 'glue.amazonaws.com',
    needs: [[['glue:CreateDevEndpoint']], [['glue:CreateJob'], ['glue:StartJobRun', 'glue:CreateTrigger']]],
  },
  {
    kind: 'pass-role-datapipeline',
    principal: 'datapipeline.amazonaws.com',
    needs: [
      [['datapipeline:CreatePipeline'], ['datapipeline:PutPipelineDefinition'], ['datapipeline:ActivatePipeline']],
    ],
  },
  {
    kind: 'pass-role-sagemaker',
    principal: 'sagemaker.amazonaws.com',
    needs: [
      [['sagemaker:CreateNotebookInstance'], ['sagemaker:CreatePresignedNotebookInstanceUrl']],
      [['sagemaker:CreateTrainingJob']],
      [['sagemaker:CreateProcessingJob']],
    ],
  },
  {
    kind: 'pass-role-codebuild',
    principal: 'codebuild.amazonaws.com',
    needs: [[['codebuild:CreateProject'], ['codebuild:StartBuild', 'codebuild:StartBuildBatch']]],
  },
  {
    kind: 'pass-role-ecs',
    principal: 'ecs-tasks.amazonaws.com',
    needs: [[['ecs:RegisterTaskDefinition'], ['ecs:RunTask', 'ecs:StartTask', 'ecs:CreateService']]],
  },
  { kind: 'pass-role-apprunner', principal: 'tasks.apprunner.amazonaws.com', needs: [[['apprunner:CreateService']]] },
];

/** Calls that run code on existing compute, which holds a role the snapshot does not tie to the resource. */
interface ComputeTakeover {
  kind: string;
  principal: string;
  needs: string[][];
  what: string;
  instanceProfile?: boolean;
}

export const COMPUTE_TAKEOVERS: readonly ComputeTakeover[] = [
  {
    kind: 'ssm-send-command',
    principal: 'ec2.amazonaws.com',
    needs: [['ssm:SendCommand']],
    what: 'an EC2 instance',
    instanceProfile: true,
  },
  {
    kind: 'ssm-start-session',
    principal: 'ec2.amazonaws.com',
    needs: [['ssm:StartSession']],
    what: 'an EC2 instance',
    instanceProfile: true,
  },
  {
    kind: 'ec2-instance-connect',
    principal: 'ec2.amazonaws.com',
    needs: [['ec2-instance-connect:SendSSHPublicKey']],
    what: 'an EC2 instance',
    instanceProfile: true,
  },
  {
    kind: 'lambda-update-code',
    principal: 'lambda.amazonaws.com',
    needs: [['lambda:UpdateFunctionCode']],
    what: 'a Lambda function',
  },
  {
    kind: 'lambda-update-configuration',
    principal: 'lambda.amazonaws.com',
    needs: [['lambda:UpdateFunctionConfiguration']],
    what: 'a Lambda function',
  },
  {
    kind: 'glue-update-dev-endpoint',
    principal: 'glue.amazonaws.com',
    needs: [['glue:UpdateDevEndpoint']],
    what: 'a Glue development endpoint',
  },
  {
    kind: 'cloudformation-update-stack',
    principal: 'cloudformation.amazonaws.com',
    needs: [['cloudformation:UpdateStack']],
    what: 'a CloudFormation stack',
  },
  {
    kind: 'cloudformation-change-set',
    principal: 'cloudformation.amazonaws.com',
    needs: [['cloudformation:CreateChangeSet'], ['cloudformation:ExecuteChangeSet']],
    what: 'a CloudFormation stack',
  },
  {
    kind: 'sagemaker-notebook-url',
    principal: 'sagemaker.amazonaws.com',
    needs: [['sagemaker:CreatePresignedNotebookInstanceUrl']],
    what: 'a SageMaker notebook',
  },
  {
    kind: 'codebuild-start-build',
    principal: 'codebuild.amazonaws.com',
    needs: [['codebuild:StartBuild', 'codebuild:StartBuildBatch']],
    what: 'a CodeBuild project',
  },
  {
    kind: 'ecs-execute-command',
    principal: 'ecs-tasks.amazonaws.com',
    needs: [['ecs:ExecuteCommand']],
    what: 'an ECS task',
  },
];

export const TAKEOVER_ACTIONS = [
  { action: 'iam:CreateAccessKey', kind: 'create-access-key', applies: (_u: GraphPrincipal) => true },
  {
    action: 'iam:CreateLoginProfile',
    kind: 'create-login-profile',
    applies: (u: GraphPrincipal) => u.hasPassword !== true,
  },
  {
    action: 'iam:UpdateLoginProfile',
    kind: 'update-login-profile',
    applies: (u: GraphPrincipal) => u.hasPassword !== false,
  },
] as const;

export const EDIT_ACTIONS = [
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:DeleteUserPermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary',
  'iam:PutRolePermissionsBoundary',
  'iam:DetachUserPolicy',
  'iam:DetachRolePolicy',
  'iam:DetachGroupPolicy',
  'iam:DeleteUserPolicy',
  'iam:DeleteRolePolicy',
  'iam:DeleteGroupPolicy',
];

/** Actions whose holder may make another principal an administrator (what makes a policy grant power). */
const GRANT_ACTIONS = [...EDIT_ACTIONS, 'iam:AddUserToGroup'];

export function allowsGrant(statements: PolicyStatement[]): boolean {
  return statements.some((s) => s.effect === 'Allow' && GRANT_ACTIONS.some((a) => statementCoversAction(s, a)));
}
