import { AlertGroup, jobFailedAlert } from '../lib/prometheus-rule';

/**
 * The alert of a ScheduledTask, from kube-state-metrics: a Job of the task (`<name>-<timestamp>`,
 * the CronJob's naming) has failed pods. A failed Job stays (the failed history limit) until
 * someone has looked at it and deleted it, so the alert stays up until then.
 */
export function scheduledTaskAlerts(namespace: string, name: string): AlertGroup {
  return {
    name: `${name}.batch`,
    rules: [jobFailedAlert(namespace, name, 'ScheduledTaskFailed', `A run of the scheduled task ${namespace}/${name} failed`)],
  };
}
