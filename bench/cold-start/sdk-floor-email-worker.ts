/**
 * A reference of `coldStart`, not a competitor: the AWS calls Hangar's e-mail worker makes for one
 * message — a conditional write to the ledger table, the SES send, a second write — through the
 * same SDK clients with the same configuration (`awsClientConfig()`), and nothing else: no
 * envelope, validation, ledger protocol, logging or metrics. Bundled exactly as Hangar's functions
 * are, it is the part of the e-mail worker's cold start that belongs to the AWS SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsClientConfig } from '../../lib/config/aws-client.js';
import { ENV_VARS } from '../../lib/constants.js';
import { TABLE_ATTRIBUTES } from '../../lib/ledger/table.js';

const tableName = process.env[ENV_VARS.tableName];
const sender = process.env[ENV_VARS.senderEmail];
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig()));
const ses = new SESClient(awsClientConfig());

/** Moves the record's status, as a claim (`from` absent) or a success (`from` the claimed status) does. */
function setStatus(jobId: string, to: string, from?: string): UpdateCommand {
  return new UpdateCommand({
    TableName: tableName,
    // A key of its own: the ledger's records are not touched.
    Key: { [TABLE_ATTRIBUTES.partitionKey]: `sdk-floor#${jobId}`, [TABLE_ATTRIBUTES.sortKey]: 'job' },
    UpdateExpression: 'SET #status = :to',
    ConditionExpression: from === undefined ? 'attribute_not_exists(#status)' : '#status = :from',
    ExpressionAttributeNames: { '#status': TABLE_ATTRIBUTES.status },
    ExpressionAttributeValues: { ':to': to, ...(from === undefined ? {} : { ':from': from }) },
  });
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const record of event.Records) {
    const { jobId, payload } = JSON.parse(record.body) as {
      jobId: string;
      payload: { to: string[]; subject: string; text: string };
    };
    await doc.send(setStatus(jobId, 'running'));
    await ses.send(
      new SendEmailCommand({
        Source: sender,
        Destination: { ToAddresses: payload.to },
        Message: { Subject: { Data: payload.subject }, Body: { Text: { Data: payload.text } } },
      }),
    );
    await doc.send(setStatus(jobId, 'succeeded', 'running'));
  }
  return { batchItemFailures: [] };
}
