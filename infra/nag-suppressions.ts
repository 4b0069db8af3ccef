/**
 * Every cdk-nag acknowledgement of the stack, in one place. Each is scoped to the construct that
 * raises the finding and names the finding itself (`AwsSolutions-IAM5[Resource::…]`, cdk-nag v3's
 * form of `appliesTo`), so a new wildcard elsewhere still fails synthesis.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
// cdk-nag's own rendering of a CloudFormation value into a finding id, so ours match it exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { TABLE_SPEC, usesLedger } from '../lib/deploy/index.js';
import type { HangarFunction } from './constructs/hangar-function.js';
import type { JobsStack } from './stacks/jobs-stack.js';

/** The ledger's index names, for the reasons below (a migrating stage also has the legacy ones). */
const LEDGER_INDEX_LIST = TABLE_SPEC.indexes.map((index) => index.name).join(', ');

export interface NagAcknowledgement {
  /** The construct whose resource raises the finding (the acknowledgement covers its children). */
  readonly scope: IConstruct;
  /** The rule, or rule plus finding: `AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]`. */
  readonly id: string;
  readonly reason: string;
}

/** The finding id of a wildcard resource, as cdk-nag's IAM5 renders it. */
function wildcardResource(stack: Stack, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(resource))}]`;
}

/** The policy a function's grants land in. */
function defaultPolicy(fn: HangarFunction): IConstruct {
  return fn.role.node.findChild('DefaultPolicy');
}

/** The acknowledgements the stack needs, with the reason for each. */
export function nagAcknowledgements(stack: JobsStack): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  const tableIndexes = wildcardResource(stack, `${stack.ledger.table.tableArn}/index/*`);
  const functions: { fn: HangarFunction; readsLedger: boolean }[] = [
    ...[...stack.workers.values()].map((worker) => ({
      fn: worker.handler,
      readsLedger: usesLedger(worker.settings),
    })),
    { fn: stack.api.handler, readsLedger: true },
  ];

  for (const { fn, readsLedger } of functions) {
    acknowledgements.push({
      scope: defaultPolicy(fn),
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; no other action of this policy has a "*" resource (asserted by the infra tests)',
    });
    if (readsLedger) {
      acknowledgements.push({
        scope: defaultPolicy(fn),
        id: tableIndexes,
        reason: `The ledger table's own indexes (${LEDGER_INDEX_LIST}): listings and the cleanup query them, and "index/*" names no other table`,
      });
    }
  }

  for (const worker of stack.workers.values()) {
    const { settings } = worker;
    if (settings.resources.includes('parameters')) {
      acknowledgements.push(
        {
          scope: defaultPolicy(worker.handler),
          id: wildcardResource(stack, stack.parameters.parameterArns),
          reason: `Job ${settings.jobName} declares "parameters": it reads credentials (e.g. a sync source's auth header) from SSM parameters of its own stage's path only`,
        },
        {
          scope: defaultPolicy(worker.handler),
          id: wildcardResource(stack, stack.parameters.secretArns),
          reason: `Job ${settings.jobName} declares "parameters": it reads secrets under its own stage's name prefix only; Secrets Manager appends a random suffix to every secret ARN`,
        },
      );
    }
    if (settings.fifo) {
      acknowledgements.push({
        scope: defaultPolicy(worker.handler),
        id: wildcardResource(stack, stack.schedules.oneTimeScheduleArns),
        reason: `Job ${settings.jobName} is FIFO: a delayed continuation becomes a one-time schedule, named per job id (job-<id>-<n>) in the stage's group; recurring schedules do not match the pattern`,
      });
    }
  }

  const oneTimeSchedules = wildcardResource(stack, stack.schedules.oneTimeScheduleArns);
  acknowledgements.push(
    {
      scope: defaultPolicy(stack.api.handler),
      id: oneTimeSchedules,
      reason:
        "The API creates and cancels one-time schedules named per job id (job-<id>-<n>) in the stage's group; recurring schedules do not match the pattern",
    },
    {
      scope: stack.producerPolicy.policy,
      id: oneTimeSchedules,
      reason:
        "Producers create and cancel one-time schedules named per job id (job-<id>-<n>) in the stage's group; recurring schedules do not match the pattern",
    },
    ...['GET', 'DELETE'].map((method) => ({
      scope: stack.producerPolicy.policy,
      id: wildcardResource(
        stack,
        stack.api.httpApi.arnForExecuteApi(method, '/jobs/*', stack.api.stage.stageName),
      ),
      reason: `${method} /jobs/{id}: the "*" is the job id path parameter of this one route of the stage's API`,
    })),
    ...[stack.operatorPolicy.readOnly, stack.operatorPolicy.full].flatMap((policy) => [
      {
        scope: policy,
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "cloudwatch:GetMetricData and scheduler:ListSchedules support no resource-level permissions; every other action of the operator policies names this stage's resources",
      },
      {
        scope: policy,
        id: tableIndexes,
        reason: `Operators list jobs through the ledger table's own indexes (${LEDGER_INDEX_LIST})`,
      },
      {
        scope: policy,
        id: wildcardResource(
          stack,
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${stack.schedules.group.scheduleGroupName}/*`,
          }),
        ),
        reason: "Operators read the stage's recurring schedules (GetSchedule), all in the stage's own group",
      },
      // The read-only policy has the API's GET routes only.
      ...(policy === stack.operatorPolicy.full ? ['GET', 'DELETE'] : ['GET']).map((method) => ({
        scope: policy,
        id: wildcardResource(
          stack,
          stack.api.httpApi.arnForExecuteApi(method, '/jobs/*', stack.api.stage.stageName),
        ),
        reason: `${method} /jobs/{id}: the "*" is the job id path parameter of this one route of the stage's API`,
      })),
    ]),
    {
      scope: stack.operatorPolicy.full,
      id: oneTimeSchedules,
      reason:
        "Operators enqueue with a run-at time and cancel scheduled jobs: one-time schedules named per job id (job-<id>-<n>) in the stage's group",
    },
    {
      scope: stack.schedules.deadLetterQueue,
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a DLQ: Scheduler's failed deliveries land here and raise an alarm; a DLQ behind it would only defer that alarm",
    },
  );
  return acknowledgements;
}

/** Records every acknowledgement on its construct; returns them for the test that checks none is stale. */
export function applyNagSuppressions(stack: JobsStack): readonly NagAcknowledgement[] {
  const acknowledgements = nagAcknowledgements(stack);
  for (const { scope, id, reason } of acknowledgements) Validations.of(scope).acknowledge({ id, reason });
  return acknowledgements;
}
