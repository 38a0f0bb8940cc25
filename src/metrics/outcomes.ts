/**
 * What the metrics record of each request, and the listener the model reports it to: defined here,
 * below the model, so that the recorder does not depend on the model that feeds it.
 */

/**
 * Why a request failed, as users see it in the outputs (`errors_<cause>` columns). Causes are
 * appended, never reordered: their index is the int a failure carries through the model.
 */
export const FAILURE_CAUSES = [
  'timeout',
  'rejected',
  'pod_terminated',
  'downstream_timeout',
  'downstream_error',
  'external_timeout',
  'pool_timeout',
  'db_too_many_connections',
  'proxy_timeout',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];
export const CAUSE_TIMEOUT = 0;
export const CAUSE_REJECTED = 1;
export const CAUSE_POD_TERMINATED = 2;
export const CAUSE_DOWNSTREAM_TIMEOUT = 3;
export const CAUSE_DOWNSTREAM_ERROR = 4;
export const CAUSE_EXTERNAL_TIMEOUT = 5;
export const CAUSE_POOL_TIMEOUT = 6;
export const CAUSE_DB_TOO_MANY_CONNECTIONS = 7;
export const CAUSE_PROXY_TIMEOUT = 8;

/** Receives every user request's outcome, exactly once per request (the metrics recorder). */
export interface OutcomeListener {
  arrived(classId: number): void;
  succeeded(classId: number, latencyMicros: number): void;
  failed(classId: number, cause: number, latencyMicros: number): void;
}
