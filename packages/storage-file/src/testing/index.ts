// Test support for the file adapter: the power-loss model of reliability.md F5.
export { materialize, PowerCutError, PowerLossFs, type CrashImage, type ImageEntry, type LoggedOperation, type MutatingCall } from './power-loss-fs.js';
