/**
 * `hangar/deploy`: what the CDK stack, the local runtime and operator tools (the CLI, the
 * dashboard) share — every setting derived from the declarations, the stage configuration, the
 * stack's outputs, what each function is told through its environment, the HTTP API's contract,
 * and the names of metrics and dead-letter attributes. The producer entry never imports it.
 */

export {
  API_LIMITS,
  API_ROUTES,
  type ApiErrorBody,
  type ApiRoute,
  CORRELATION_ID_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from '../api/contract.js';
export {
  DEAD_LETTER_ATTRIBUTES,
  DELIVERY_ATTRIBUTES,
  type DeadLetterAttribute,
  ENV_VARS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricName,
  SCHEDULER_DLQ_ATTRIBUTES,
  SQS_LIMITS,
  UNKNOWN_JOB_NAME,
} from '../constants.js';
export {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  envelopeSchema,
  type FiringEnvelope,
  firingEnvelopeSchema,
  firingJobId,
  JOB_ID_PATTERN,
  jobEnvelopeSchema,
  renderFiring,
} from '../jobs/envelope.js';
export {
  dlqName,
  functionDir,
  functionEntry,
  HANDLER_FILE,
  pascalName,
  queueName,
  resourceStem,
} from '../jobs/names.js';
export {
  isScheduleExpression,
  isTimeZone,
  SCHEDULE_RULE_MESSAGES,
  scheduleExpressionSchema,
  timeZoneSchema,
} from '../jobs/schedule-rules.js';
export {
  API_FUNCTION,
  apiEnvironment,
  type DeploymentValues,
  type QueueDirectory,
  serviceName,
  usesLedger,
  workerEnvironment,
} from './function-environment.js';
export {
  FINAL_LEDGER_INDEX_STEP,
  LEDGER_INDEX_STEPS,
  LEDGER_MIGRATE_COMMAND,
  type LedgerIndexStep,
  ledgerIndexSteps,
} from './ledger-index-steps.js';
export {
  clientFromStackOutputs,
  JOB_OUTPUT_SUFFIXES,
  type JobOutput,
  jobOutputKey,
  OUTPUT_KEYS,
  type StackOutputs,
} from './outputs.js';
export {
  type ConfiguredSchedule,
  deriveJobSettings,
  deriveSettings,
  type EventSourceSettings,
  type FunctionSettings,
  type JobQueueSettings,
  type JobSettings,
  type QueueSettings,
  type ScheduleSettings,
  SETTINGS_RULES,
  type Settings,
  type SettingsOptions,
  sqsQueueAttributes,
  TABLE_SPEC,
  type TableSpec,
} from './settings.js';
export {
  deriveStageSettings,
  emailSendRateSchema,
  PARAMETER_ROOT,
  STAGE_DEFAULTS,
  STAGE_NAME_PATTERN,
  type StageConfig,
  type StageSettings,
  stageConfigError,
  stageParameterPrefixes,
} from './stage.js';
