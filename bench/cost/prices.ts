/**
 * AWS list prices the cost section uses (US East, N. Virginia; pay per request, after free tiers).
 * Taken from the AWS pricing pages as published in 2025 — DynamoDB's after its November 2024
 * on-demand cut — and NOT re-checked on the day a benchmark runs: check them before quoting a figure.
 */
export const PRICES = {
  asOf: '2025-07',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/ses/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
  ],
  /** USD per Lambda request. */
  lambdaRequest: 0.2 / 1_000_000,
  /** USD per GB-second of Lambda duration on arm64 (first pricing tier). */
  lambdaGbSecondArm64: 0.000_013_333_4,
  /** USD per SQS request (each 64 KB chunk of a payload is one request). */
  sqsStandardRequest: 0.4 / 1_000_000,
  sqsFifoRequest: 0.5 / 1_000_000,
  /** USD per DynamoDB on-demand write request unit (1 KB). */
  dynamoWriteUnit: 0.625 / 1_000_000,
  /** USD per HTTP API request (API Gateway, first 300 million a month). */
  httpApiRequest: 1.0 / 1_000_000,
  /** USD per e-mail sent through SES (outbound, not from EC2). */
  sesEmail: 0.1 / 1_000,
} as const;
