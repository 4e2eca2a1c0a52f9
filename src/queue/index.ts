/** The queue layer: BullMQ queues, workers and job ids. */
export { actionJobId, alertDedupKey, alertJobId, verificationJobId } from './job-ids.js';
export {
  ACTIONS_QUEUE,
  type ActionJobData,
  ALERTS_QUEUE,
  type AlertBatchData,
  type AlertJobData,
  createQueues,
  type DiagnoseJobData,
  type EnqueueResult,
  isAlertBatch,
  isDiagnoseRequest,
  isVerifyRequest,
  type MedicQueues,
  type QueueOptions,
  type VerifyJobData,
} from './queues.js';
export type { SilenceCheckJob } from './silence-jobs.js';
export { createSlackQueue, SLACK_QUEUE, type SlackQueue, type SyncThreadJobData, startSlackWorker } from './slack.js';
export {
  type AlertJobProcessors,
  type JobContext,
  type JobProcessor,
  type RunningWorker,
  startActionWorker,
  startAlertWorker,
} from './workers.js';
