/** The queue layer: BullMQ queues, workers and job ids. */
export { actionJobId, alertDedupKey, alertJobId } from './job-ids.js';
export {
  ACTIONS_QUEUE,
  type ActionJobData,
  ALERTS_QUEUE,
  type AlertBatchData,
  type AlertJobData,
  createQueues,
  type EnqueueResult,
  isAlertBatch,
  type MedicQueues,
  type QueueOptions,
} from './queues.js';
export {
  type JobContext,
  type JobProcessor,
  type RunningWorker,
  startActionWorker,
  startAlertWorker,
} from './workers.js';
