/** Kept for imports that predate clients.ts (submit-request). */
export { sfn } from './clients.ts';
