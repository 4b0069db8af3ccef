/**
 * The operator policies: exactly the calls `hangar` and `hangar dashboard` make on a stage (their
 * `--stage` tests assert those calls), read-only and full, exported as stack outputs.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../../infra/constructs/jobs-api.js';
import { OUTPUT_KEYS } from '../../../lib/deploy/index.js';
import {
  actionsOn,
  allActions,
  arnOf,
  arnWithSuffix,
  logicalId,
  managedPolicyStatements,
  ref,
  synthApp,
} from '../../helpers/infra.js';

const { stack, template } = synthApp();
const readOnly = managedPolicyStatements(template, logicalId(stack.operatorPolicy.readOnly));
const full = managedPolicyStatements(template, logicalId(stack.operatorPolicy.full));
const queues = [...stack.queues.values()];
/** A token as the template writes it. */
const resolved = (value: string): unknown => stack.resolve(value);

const READ = [
  'cloudformation:DescribeStacks',
  'cloudwatch:GetMetricData',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'execute-api:Invoke',
  'lambda:ListEventSourceMappings',
  'scheduler:GetSchedule',
  'scheduler:ListSchedules',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
];

describe('Construct: OperatorPolicy', () => {
  it('read-only: reads queues, dead letters (given back), metrics, schedules, the ledger and the API’s GET routes', () => {
    expect(allActions(readOnly)).toEqual(READ);
    for (const q of queues) {
      expect(actionsOn(readOnly, arnOf(q.queue))).toEqual(['sqs:GetQueueAttributes']);
      expect(actionsOn(readOnly, arnOf(q.deadLetterQueue))).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ]);
    }
    expect(actionsOn(readOnly, arnOf(stack.ledger.table))).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(actionsOn(readOnly, arnWithSuffix(stack.ledger.table, '/index/*'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(actionsOn(readOnly, '*')).toEqual([
      'cloudwatch:GetMetricData',
      'lambda:ListEventSourceMappings',
      'scheduler:ListSchedules',
    ]);
    const invoke = readOnly.find((s) => s.actions.includes('execute-api:Invoke'));
    expect(invoke?.resources).toHaveLength(HTTP_ROUTES.filter((r) => r.method === 'GET').length);
  });

  it('full: adds redrive, discard, run now, enqueue and cancel — and no wildcard action', () => {
    expect(allActions(full)).toEqual(
      [
        ...READ,
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'iam:PassRole',
        'lambda:GetEventSourceMapping',
        'lambda:UpdateEventSourceMapping',
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:UpdateSchedule',
        'sqs:DeleteMessage',
        'sqs:ListMessageMoveTasks',
        'sqs:SendMessage',
        'sqs:StartMessageMoveTask',
      ].sort(),
    );
    for (const q of queues) {
      expect(actionsOn(full, arnOf(q.queue))).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
      expect(actionsOn(full, arnOf(q.deadLetterQueue))).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ListMessageMoveTasks',
        'sqs:ReceiveMessage',
        'sqs:StartMessageMoveTask',
      ]);
    }
    expect(actionsOn(full, arnOf(stack.schedules.role))).toEqual(['iam:PassRole']);
    expect(actionsOn(full, '*')).toEqual([
      'cloudwatch:GetMetricData',
      'lambda:ListEventSourceMappings',
      'scheduler:ListSchedules',
    ]);
    for (const statement of full) expect(statement.actions.filter((a) => a.includes('*'))).toEqual([]);
    const invoke = full.filter((s) => s.actions.includes('execute-api:Invoke')).flatMap((s) => s.resources);
    expect(invoke).toHaveLength(HTTP_ROUTES.length + HTTP_ROUTES.filter((r) => r.method === 'GET').length);
  });

  it('full: pauses and resumes exactly the workers’ event sources and the recurring schedules', () => {
    const mappings = full.find((s) => s.actions.includes('lambda:UpdateEventSourceMapping'));
    expect(mappings?.actions).toEqual(['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping']);
    expect(mappings?.resources).toEqual(
      [...stack.workers.values()].map((w) => resolved(w.eventSource.eventSourceMappingArn)),
    );
    const schedules = full.find((s) => s.actions.includes('scheduler:UpdateSchedule'));
    expect(schedules?.resources).toEqual(
      [...stack.schedules.schedules.values()].map((s) => resolved(s.scheduleArn)),
    );
    expect(allActions(readOnly).filter((a) => a.startsWith('lambda:'))).toEqual([
      'lambda:ListEventSourceMappings',
    ]);
  });

  it('is exported as stack outputs beside the producer policy', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUT_KEYS.operatorReadOnlyPolicyArn]?.Value).toEqual(ref(stack.operatorPolicy.readOnly));
    expect(outputs[OUTPUT_KEYS.operatorPolicyArn]?.Value).toEqual(ref(stack.operatorPolicy.full));
  });
});
