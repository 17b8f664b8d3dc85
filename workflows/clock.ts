/** The workflow's clock as an ISO instant: in a workflow, `Date.now()` is the time of the current task (replays the same). */
export const nowIso = (): string => new Date(Date.now()).toISOString();
