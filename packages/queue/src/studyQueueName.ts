/** The BullMQ queue every study, worker and status call uses (Redis keys `bull:distillery:*`). */
export const studyQueueName = 'distillery';
