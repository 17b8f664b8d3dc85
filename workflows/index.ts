// The workflow bundle's entry: every workflow type the worker runs.
export { creditLine } from './credit-line';
export { staffApproval } from './staff-approval';
