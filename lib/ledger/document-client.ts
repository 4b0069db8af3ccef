/**
 * The document client every user of the ledger table works through: the one given, or one over
 * the given (or a new) DynamoDB client, dropping undefined attributes so optional fields stay
 * optional.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../config/aws-client.js';

/**
 * @example
 * const doc = documentClientOf(options.client); // a new client with `awsClientConfig()` when none is given
 */
export function documentClientOf(client?: DynamoDBDocumentClient | DynamoDBClient): DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return client;
  return DynamoDBDocumentClient.from(client ?? new DynamoDBClient(awsClientConfig()), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
