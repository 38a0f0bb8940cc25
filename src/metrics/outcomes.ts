/**
 * What the metrics record of each request, and the listener the model reports it to: defined here,
 * below the model, so that the recorder does not depend on the model that feeds it.
 */

/** Why a request failed, as users see it in the outputs (`errors_<cause>` columns). */
export const FAILURE_CAUSES = ['timeout', 'rejected', 'pod_terminated'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];
export const CAUSE_TIMEOUT = 0;
export const CAUSE_REJECTED = 1;
export const CAUSE_POD_TERMINATED = 2;

/** Receives every request's outcome, exactly once per request (the metrics recorder). */
export interface OutcomeListener {
  arrived(classId: number): void;
  succeeded(classId: number, latencyMicros: number): void;
  failed(classId: number, cause: number, latencyMicros: number): void;
}
