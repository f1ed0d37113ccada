/**
 * Why the document store failed. A failure a retry may cure (throttling, S3 5xx, a dropped connection)
 * is a TransientError instead (shared/core/aws/transient.ts), which the state machine retries.
 */
import { WorkflowError } from '../core/errors.ts';

export type DocumentOperation = 'uploadForm' | 'sizeOf' | 'read' | 'put' | 'remove' | 'downloadUrl';

/** The store refused the call or S3 failed for good; the message names the operation and the key. */
export class DocumentStoreError extends WorkflowError {
  override name = 'DocumentStoreError';
  readonly operation: DocumentOperation;
  readonly key: string;
  constructor(operation: DocumentOperation, key: string, message: string, options?: { cause?: unknown }) {
    super(`Document store ${operation} of "${key}": ${message}`, options);
    this.operation = operation;
    this.key = key;
  }
}
